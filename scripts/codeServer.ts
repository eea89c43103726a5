// Starts code-server (real VS Code: server, Node extension host, web workbench) for one test
// run: loopback only, no auth, a fresh user-data-dir, extensions-dir and XDG dirs in a temp
// folder, so runs neither see nor touch anyone's VS Code state. See /work/shared/REAL-VSCODE.md.
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { createWriteStream, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join, resolve } from 'node:path';
import { assertRunning, track } from './harnessCleanup';
import { codeServerPackageDir, repoRoot } from './harnessPaths';

export type ColorTheme = 'Default Dark Modern' | 'Default Light Modern';

/** Settings every run starts from: quiet, offline, nothing that opens on its own. */
const baseSettings: Record<string, unknown> = {
  'workbench.colorTheme': 'Default Dark Modern',
  'workbench.startupEditor': 'none',
  'workbench.tips.enabled': false,
  'workbench.enableExperiments': false,
  'workbench.secondarySideBar.defaultVisibility': 'hidden',
  'security.workspace.trust.enabled': false,
  'telemetry.telemetryLevel': 'off',
  'update.mode': 'none',
  'extensions.autoCheckUpdates': false,
  'extensions.autoUpdate': false,
  'extensions.ignoreRecommendations': true,
  'git.enabled': false,
  'chat.commandCenter.enabled': false,
  'window.commandCenter': false,
};

/** With Workspace Trust on: untrusted folders open restricted, without the startup dialog. */
const trustSettings: Record<string, unknown> = {
  'security.workspace.trust.enabled': true,
  'security.workspace.trust.startupPrompt': 'never',
};

export interface CodeServerOptions {
  /** User settings merged over the quiet defaults (e.g. the color theme). */
  settings?: Record<string, unknown>;
  /** Extra environment for code-server and so for the extension host it forks. */
  env?: Record<string, string>;
  /** Where code-server's own stdout/stderr go; defaults to its temp folder. */
  logFile?: string;
  /** Keep the temp folder after stop (to read logs); default false. */
  keepTempDir?: boolean;
  startTimeoutMs?: number;
  /**
   * Workspace Trust as a person meets it (default off, so tests are not interrupted): folders
   * open in Restricted Mode until trusted, and no startup dialog asks.
   */
  workspaceTrust?: boolean;
}

export interface WorkbenchUrlOptions {
  folder: string;
  /** Loads this folder as the extension under development (default: the repository). */
  extensionDevelopmentPath?: string;
  /** A module exporting run(): Promise<void>, run inside the extension host. */
  extensionTestsPath?: string;
}

export interface CodeServer {
  readonly origin: string;
  readonly versions: { codeServer: string; vscode: string };
  readonly tempDir: string;
  readonly userDataDir: string;
  readonly logFile: string;
  workbenchUrl(options: WorkbenchUrlOptions): string;
  stop(): Promise<void>;
}

interface PackageVersion {
  version: string;
}

function readVersion(packageJson: string): string {
  return (JSON.parse(readFileSync(packageJson, 'utf8')) as PackageVersion).version;
}

export function codeServerVersions(): { codeServer: string; vscode: string } {
  return {
    codeServer: readVersion(join(codeServerPackageDir, 'package.json')),
    vscode: readVersion(join(codeServerPackageDir, 'lib/vscode/package.json')),
  };
}

/** A copy of the environment without what would make code-server join an outer VS Code. */
function cleanEnv(extra: Record<string, string>, xdgDir: string): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (key.startsWith('VSCODE_') || key === 'ELECTRON_RUN_AS_NODE' || key.startsWith('CODE_SERVER_')) continue;
    env[key] = value;
  }
  return {
    ...env,
    XDG_CONFIG_HOME: join(xdgDir, 'config'),
    XDG_DATA_HOME: join(xdgDir, 'data'),
    XDG_CACHE_HOME: join(xdgDir, 'cache'),
    ...extra,
  };
}

function waitForListening(child: ChildProcess, timeoutMs: number): Promise<string> {
  return new Promise((resolvePromise, reject) => {
    let seen = '';
    const timer = setTimeout(() => {
      finish(new Error(`code-server did not start within ${timeoutMs} ms. Output:\n${seen}`));
    }, timeoutMs);
    const onData = (chunk: Buffer): void => {
      seen += chunk.toString();
      const match = /HTTP server listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(seen);
      if (match?.[1]) finish(undefined, match[1]);
    };
    const onExit = (code: number | null, signal: NodeJS.Signals | null): void => {
      finish(new Error(`code-server exited early (code ${code}, signal ${signal}). Output:\n${seen}`));
    };
    function finish(error: Error | undefined, origin?: string): void {
      clearTimeout(timer);
      child.stdout?.off('data', onData);
      child.stderr?.off('data', onData);
      child.off('exit', onExit);
      if (error) reject(error);
      else if (origin) resolvePromise(origin);
    }
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    child.once('exit', onExit);
  });
}

async function waitForHealthz(origin: string, deadline: number): Promise<void> {
  let lastError = '';
  while (Date.now() < deadline) {
    try {
      const response = await fetch(`${origin}/healthz`);
      if (response.ok) return;
      lastError = `HTTP ${response.status}`;
    } catch (error) {
      lastError = String(error);
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`code-server /healthz did not answer: ${lastError}`);
}

export async function startCodeServer(options: CodeServerOptions = {}): Promise<CodeServer> {
  const entry = join(codeServerPackageDir, 'out/node/entry.js');
  if (!existsSync(entry)) {
    throw new Error(`code-server is not installed (${entry} is missing): run scripts/setupVscodeTest.sh`);
  }
  assertRunning();
  const versions = codeServerVersions();
  const tempDir = mkdtempSync(join(tmpdir(), 'initlens-code-server-'));
  const userDataDir = join(tempDir, 'user-data');
  const extensionsDir = join(tempDir, 'extensions');
  mkdirSync(join(userDataDir, 'User'), { recursive: true });
  mkdirSync(extensionsDir, { recursive: true });
  writeFileSync(
    join(userDataDir, 'User/settings.json'),
    JSON.stringify({ ...baseSettings, ...(options.workspaceTrust ? trustSettings : {}), ...options.settings }, null, 2),
  );
  const logFile = options.logFile ?? join(tempDir, 'code-server.log');

  const child = spawn(
    process.execPath,
    [
      entry,
      '--auth', 'none',
      // Port 0: the kernel picks a free port and code-server prints it (no race).
      '--bind-addr', '127.0.0.1:0',
      '--disable-telemetry',
      '--disable-update-check',
      ...(options.workspaceTrust ? [] : ['--disable-workspace-trust']),
      '--disable-getting-started-override',
      '--user-data-dir', userDataDir,
      '--extensions-dir', extensionsDir,
    ],
    {
      cwd: tempDir,
      env: cleanEnv(options.env ?? {}, tempDir),
      stdio: ['ignore', 'pipe', 'pipe'],
      // Own process group: code-server forks a wrapper, the server, the extension host, the pty
      // host and a file watcher; killing the group ends them all.
      detached: true,
    },
  );
  const log = createWriteStream(logFile);
  child.stdout.pipe(log);
  child.stderr.pipe(log);

  let exited = child.exitCode !== null;
  const exitedPromise = new Promise<void>((r) => child.once('exit', () => {
    exited = true;
    r();
  }));
  const killGroup = (signal: NodeJS.Signals): void => {
    if (child.pid === undefined) return;
    try {
      process.kill(-child.pid, signal);
    } catch {
      // already gone
    }
  };
  const removeTempDir = (): void => {
    if (!options.keepTempDir) rmSync(tempDir, { recursive: true, force: true, maxRetries: 3, retryDelay: 100 });
  };
  let stopping: Promise<void> | undefined;
  const cleanup = {
    // Memoized: a signal handler and the normal path may both stop; both wait for the same end.
    stop(): Promise<void> {
      stopping ??= (async () => {
        killGroup('SIGTERM');
        const timeout = new Promise<'timeout'>((r) => setTimeout(() => r('timeout'), 5000).unref());
        if (!exited && (await Promise.race([exitedPromise, timeout])) === 'timeout') killGroup('SIGKILL');
        // The wrapper may exit before its children: make sure the whole group is gone.
        killGroup('SIGKILL');
        log.end();
        removeTempDir();
        untrack();
      })();
      return stopping;
    },
    killNow(): void {
      killGroup('SIGKILL');
      // Processes killed this instant may still create a file or two: give them a moment
      // (synchronously; this runs in the 'exit' handler) before removing their folder.
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 300);
      try {
        removeTempDir();
      } catch {
        // best effort on the way out
      }
    },
  };
  const untrack = track(cleanup);

  let origin: string;
  try {
    const startTimeoutMs = options.startTimeoutMs ?? 60_000;
    origin = await waitForListening(child, startTimeoutMs);
    await waitForHealthz(origin, Date.now() + startTimeoutMs);
  } catch (error) {
    await cleanup.stop();
    throw error;
  }
  const authority = new URL(origin).host;

  /**
   * The workbench treats every theme whose folder lies inside extensionDevelopmentPath as
   * contributed by the extension under development and switches to it (isEqualOrParent in
   * findThemeByExtensionLocation). code-server's built-in themes live in
   * <repo>/.vscode-test/code-server, inside the repository, so opening the repository itself
   * would replace the configured theme by "Default Light+". A symlink outside the repository
   * gives the extension a location that contains nothing else.
   */
  const outsideCodeServer = (path: string): string => {
    const absolute = resolve(path);
    if (!`${codeServerPackageDir}/`.startsWith(`${absolute}/`)) return absolute;
    const alias = join(tempDir, 'extension-under-development', basename(absolute));
    if (!existsSync(alias)) {
      mkdirSync(dirname(alias), { recursive: true });
      symlinkSync(absolute, alias, 'dir');
    }
    return alias;
  };

  return {
    origin,
    versions,
    tempDir,
    userDataDir,
    logFile,
    workbenchUrl({ folder, extensionDevelopmentPath = repoRoot, extensionTestsPath }: WorkbenchUrlOptions): string {
      const remote = (path: string): string => `vscode-remote://${authority}${resolve(path)}`;
      const payload: [string, string][] = [['extensionDevelopmentPath', remote(outsideCodeServer(extensionDevelopmentPath))]];
      if (extensionTestsPath) payload.push(['extensionTestsPath', remote(extensionTestsPath)]);
      return `${origin}/?folder=${encodeURIComponent(resolve(folder))}&payload=${encodeURIComponent(JSON.stringify(payload))}`;
    },
    stop: () => cleanup.stop(),
  };
}
