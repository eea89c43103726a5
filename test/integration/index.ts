// Mocha entry for the integration suites, loaded by the VS Code extension host (code-server or
// desktop VS Code) through extensionTestsPath. Runs every *.test.js bundled next to it.
import Mocha from 'mocha';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { format } from 'node:util';

/**
 * Under code-server the extension host's console reaches the launcher only through the
 * workbench's log, mixed with the workbench's own lines (and VS Code makes `console.*`
 * non-writable there). The launcher sets a marker; the reporter's lines, and those of `log()`
 * in helpers.ts, carry it, one log entry per line, so the launcher prints exactly the test
 * output. Desktop VS Code prints to stdout: no marker, plain console.log.
 */
function tagReporterOutput(marker: string): () => void {
  const base = Mocha.reporters.Base;
  const original = base.consoleLog;
  base.consoleLog = (...args: unknown[]): void => {
    for (const line of format(...args).split('\n')) console.log(`${marker}${line}`);
  };
  return () => {
    base.consoleLog = original;
  };
}

export async function run(): Promise<void> {
  const marker = process.env['INITLENS_TEST_LOG_MARKER'];
  const restoreReporterOutput = marker ? tagReporterOutput(marker) : () => undefined;
  try {
    const mocha = new Mocha({
      ui: 'bdd',
      reporter: 'spec',
      color: false,
      timeout: Number(process.env['INITLENS_TEST_TIMEOUT_MS'] ?? 30_000),
    });
    const grep = process.env['INITLENS_TEST_GREP'];
    if (grep) mocha.grep(grep);
    const suites = readdirSync(__dirname)
      .filter((f) => f.endsWith('.test.js'))
      .sort();
    for (const file of suites) mocha.addFile(join(__dirname, file));
    await mocha.loadFilesAsync();
    const failures = await new Promise<number>((resolve) => mocha.run(resolve));
    if (failures > 0) throw new Error(`${failures} integration test(s) failed`);
  } finally {
    restoreReporterOutput();
  }
}
