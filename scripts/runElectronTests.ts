// Runs the same integration suites (test/integration) in desktop VS Code via @vscode/test-electron.
//
//   INITLENS_VSCODE_EXECUTABLE=/path/to/code npx tsx scripts/runElectronTests.ts
//
// Without INITLENS_VSCODE_EXECUTABLE, @vscode/test-electron downloads VS Code
// (INITLENS_VSCODE_VERSION, default 1.100.3, the version code-server runs here) from
// update.code.visualstudio.com into .vscode-test/: that needs internet, so offline machines use
// scripts/runCodeServerTests.ts instead. On a Linux machine without a display, wrap it:
//
//   xvfb-run -a npx tsx scripts/runElectronTests.ts        (apt-get install xvfb)
//
// INITLENS_TEST_GREP and INITLENS_TEST_TIMEOUT_MS are honoured as with the code-server launcher.
import { runTests } from '@vscode/test-electron';
import type { TestOptions } from '@vscode/test-electron';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildIntegrationTests, integrationEntry } from './buildIntegrationTests';
import { fixtureWorkspace, repoRoot } from './harnessPaths';

async function main(): Promise<number> {
  await buildIntegrationTests();
  // Fresh profile per run, like the code-server launcher: no one's settings or extensions.
  const profileDir = mkdtempSync(join(tmpdir(), 'initlens-vscode-'));
  const extensionTestsEnv: Record<string, string> = {};
  for (const key of ['INITLENS_TEST_GREP', 'INITLENS_TEST_TIMEOUT_MS']) {
    const value = process.env[key];
    if (value) extensionTestsEnv[key] = value;
  }
  const executable = process.env['INITLENS_VSCODE_EXECUTABLE'];
  const options: TestOptions = {
    extensionDevelopmentPath: repoRoot,
    extensionTestsPath: integrationEntry,
    extensionTestsEnv,
    launchArgs: [
      fixtureWorkspace,
      '--disable-extensions',
      '--disable-workspace-trust',
      '--skip-welcome',
      '--skip-release-notes',
      '--disable-telemetry',
      '--user-data-dir', join(profileDir, 'user-data'),
      '--extensions-dir', join(profileDir, 'extensions'),
    ],
    ...(executable
      ? { vscodeExecutablePath: executable }
      : { version: process.env['INITLENS_VSCODE_VERSION'] ?? '1.100.3' }),
  };
  try {
    return await runTests(options);
  } finally {
    rmSync(profileDir, { recursive: true, force: true });
  }
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    // runTests rejects with TestRunFailedError when the suites fail (VS Code exits non-zero).
    console.error(`[harness] ${error instanceof Error ? error.message : String(error)}`);
    process.exit(1);
  },
);
