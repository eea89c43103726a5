// Bundles test/integration/*.ts into out/test/integration/*.js for the extension host to
// require: index.js (the mocha entry with run()) and one file per *.test.ts suite. `vscode` is
// provided by the extension host; mocha stays external and resolves from node_modules (out/ is
// inside the repository), so mocha loads suites by file as it normally does.
import * as esbuild from 'esbuild';
import { readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from './harnessPaths';

export const integrationSourceDir = join(repoRoot, 'test/integration');
export const integrationOutDir = join(repoRoot, 'out/test/integration');
export const integrationEntry = join(integrationOutDir, 'index.js');

export async function buildIntegrationTests(): Promise<void> {
  const entryPoints = readdirSync(integrationSourceDir)
    .filter((f) => f === 'index.ts' || f.endsWith('.test.ts'))
    .map((f) => join(integrationSourceDir, f));
  // Stale suites from renamed files must not run.
  rmSync(integrationOutDir, { recursive: true, force: true });
  await esbuild.build({
    entryPoints,
    outdir: integrationOutDir,
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    sourcemap: 'inline',
    logLevel: 'warning',
    external: ['vscode', 'mocha'],
  });
}

if (require.main === module) {
  buildIntegrationTests().catch((error: unknown) => {
    console.error(error);
    process.exit(1);
  });
}
