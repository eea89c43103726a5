// Where the real-VS-Code harness finds and puts things (all relative to the repository).
import { join, resolve } from 'node:path';

export const repoRoot = resolve(__dirname, '..');
/** Installed by scripts/setupVscodeTest.sh, outside the project's dependency tree. */
export const codeServerPackageDir = join(repoRoot, '.vscode-test/code-server/node_modules/code-server');
/** The folder VS Code opens in integration and UI tests. */
export const fixtureWorkspace = join(repoRoot, 'test/fixtures/workspace');
/** Screenshots and logs (gitignored). */
export const testResultsDir = join(repoRoot, 'test-results');
