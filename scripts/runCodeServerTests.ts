// Runs the integration suites (test/integration) inside real VS Code: code-server's Node
// extension host, driven by Debian's Chromium. Exits with the suites' exit code.
//
//   npx tsx scripts/runCodeServerTests.ts [--grep PATTERN] [--headed] [--verbose]
//
// Env: INITLENS_TEST_GREP (mocha grep), INITLENS_TEST_TIMEOUT_MS (per test),
// INITLENS_HARNESS_TIMEOUT_MS (whole run, default 15 min).
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { format, parseArgs } from 'node:util';
import { buildIntegrationTests, integrationEntry } from './buildIntegrationTests';
import { launchChromium } from './chromium';
import { startCodeServer } from './codeServer';
import { interruptedBy, signalExitCode, stopAll } from './harnessCleanup';
import { fixtureWorkspace, repoRoot, testResultsDir } from './harnessPaths';

interface WorkbenchLog {
  readonly relativePath: string;
  readonly contents: string;
}

const resultsDir = join(testResultsDir, 'integration');

function say(message: string): void {
  console.log(`[harness] ${message}`);
}

/** Tags the test output among the workbench's log lines (see test/integration/index.ts). */
const testLogMarker = '[initlens-test] ';

/**
 * The workbench forwards its log lines (info and up) to codeAutomationLog, the extension host's
 * console among them. Lines carrying the marker are the suites' output and are printed as they
 * are; the workbench's own lines only with --verbose.
 */
function relayLog(verbose: boolean, args: unknown): void {
  const parts = Array.isArray(args) ? (args as unknown[]) : [args];
  const text = format(...parts);
  if (text.startsWith(testLogMarker)) {
    console.log(text.slice(testLogMarker.length));
  } else if (verbose) {
    console.log(`[workbench] ${text}`);
  }
}

function saveLogs(logs: readonly WorkbenchLog[]): void {
  const dir = join(resultsDir, 'workbench-logs');
  rmSync(dir, { recursive: true, force: true });
  for (const log of logs) {
    const path = join(dir, log.relativePath);
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, log.contents);
  }
}

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      grep: { type: 'string' },
      headed: { type: 'boolean', default: false },
      verbose: { type: 'boolean', default: false },
      'no-build': { type: 'boolean', default: false },
    },
  });
  const verbose = values.verbose ?? false;
  const startedAt = Date.now();
  mkdirSync(resultsDir, { recursive: true });
  if (!values['no-build']) await buildIntegrationTests();

  const env: Record<string, string> = { INITLENS_TEST_LOG_MARKER: testLogMarker };
  const grep = values.grep ?? process.env['INITLENS_TEST_GREP'];
  if (grep) env['INITLENS_TEST_GREP'] = grep;
  const server = await startCodeServer({ env, logFile: join(resultsDir, 'code-server.log') });
  say(`code-server ${server.versions.codeServer}, VS Code ${server.versions.vscode}, at ${server.origin}`);

  const browser = await launchChromium({ headed: values.headed ?? false });
  const page = await browser.newPage();
  let reportExit: (code: number) => void = () => undefined;
  const finished = new Promise<number>((resolve) => {
    reportExit = resolve;
    browser.once('disconnected', () => resolve(1));
    page.once('crash', () => {
      console.error('[harness] the workbench page crashed');
      resolve(1);
    });
  });
  // Both are exposed before page.goto (the workbench looks for them while it starts), one after
  // the other: concurrent exposeFunction calls break playwright's binding setup.
  await page.exposeFunction('codeAutomationExit', (code: number, logs: readonly WorkbenchLog[] = []) => {
    saveLogs(logs);
    reportExit(code);
  });
  await page.exposeFunction('codeAutomationLog', (_level: string, args: unknown) => relayLog(verbose, args));
  page.on('pageerror', (error) => {
    if (verbose) console.error(`[page error] ${error.message}`);
  });

  const url = server.workbenchUrl({
    folder: fixtureWorkspace,
    extensionDevelopmentPath: repoRoot,
    extensionTestsPath: integrationEntry,
  });
  await page.goto(url);
  const code = await finished;
  if (interruptedBy() || timedOut) return 1; // already reported
  say(`suites ${code === 0 ? 'passed' : 'FAILED'} (exit ${code}) in ${((Date.now() - startedAt) / 1000).toFixed(1)} s; ` +
    `logs in ${join('test-results', 'integration')}`);
  return code;
}

const hardTimeoutMs = Number(process.env['INITLENS_HARNESS_TIMEOUT_MS'] ?? 15 * 60_000);
let timedOut = false;
const hardTimeout = setTimeout(() => {
  timedOut = true;
  console.error(`[harness] no result after ${hardTimeoutMs / 1000} s: stopping everything`);
  void stopAll().finally(() => process.exit(1));
}, hardTimeoutMs);

main()
  .catch((error: unknown) => {
    // After a timeout or a signal, the browser closing under a pending step is expected.
    if (timedOut || interruptedBy()) return 1;
    console.error(`[harness] ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
    return 1;
  })
  .then(async (code) => {
    clearTimeout(hardTimeout);
    await stopAll();
    const signal = interruptedBy();
    process.exit(signal ? signalExitCode(signal) : code);
  });
