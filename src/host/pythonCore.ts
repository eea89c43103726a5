/**
 * Which Python runs the user's PyTorch model, and why — a pure core over three sources, in
 * order: the `initlens.pythonPath` setting (or the CLI's --python); the Python extension's
 * active environment for the file's folder (through its published API facade); `python3` or
 * `python` on PATH. The adapters (python.ts for VS Code, cli.ts) supply the sources.
 */

export type PythonSource = 'setting' | 'python-extension' | 'path' | 'none';
import { firstLine } from '../protocol/parse';

export interface PythonChoice {
  /** Absolute path or a bare command name; undefined when no Python was found. */
  executable?: string;
  source: PythonSource;
  /** One line for the sidebar and the CLI: where the choice came from. */
  why: string;
}

/** The slice of @vscode/python-extension's API this core uses (so tests can stand in for it). */
export interface PythonEnvironmentsApi {
  getActiveEnvironmentPath(resource?: unknown): { id: string; path: string };
  resolveEnvironment(environment: { id: string; path: string } | string): Promise<{ executable: { uri?: { fsPath: string } } } | undefined>;
}

export interface PythonSources {
  /** The setting's value ('' or undefined = unset), and its name for the message. */
  setting?: string;
  settingName?: string;
  /** The Python extension's environments API, when that extension is installed. */
  extension?: () => Promise<PythonEnvironmentsApi | undefined>;
  /** The resource (file or folder) whose environment counts. */
  resource?: unknown;
  /** PATH lookup: the first name found, as a full path. */
  which: (name: string) => string | undefined;
}

export const PATH_NAMES = ['python3', 'python'] as const;

export async function choosePython(sources: PythonSources): Promise<PythonChoice> {
  const setting = sources.setting?.trim();
  if (setting) return { executable: setting, source: 'setting', why: `${sources.settingName ?? 'initlens.pythonPath'} is set` };
  let extensionNote = 'the Python extension is not installed';
  if (sources.extension) {
    try {
      const api = await sources.extension();
      if (api) {
        const active = api.getActiveEnvironmentPath(sources.resource);
        const resolved = await api.resolveEnvironment(active);
        const executable = resolved?.executable.uri?.fsPath;
        if (executable) return { executable, source: 'python-extension', why: `the Python extension's active environment (${active.path})` };
        extensionNote = `the Python extension's active environment (${active.path}) did not resolve to an interpreter`;
      }
    } catch (err) {
      extensionNote = `the Python extension's API failed: ${firstLine(err)}`;
    }
  }
  for (const name of PATH_NAMES) {
    const found = sources.which(name);
    if (found) return { executable: found, source: 'path', why: `${name} on PATH (${extensionNote}; initlens.pythonPath unset)` };
  }
  return { source: 'none', why: `no Python found: initlens.pythonPath is unset, ${extensionNote}, and neither python3 nor python is on PATH` };
}

/** The slice of the facade's environments API that reports a new active environment. */
export interface PythonEnvironmentEvents {
  onDidChangeActiveEnvironmentPath(listener: () => void): { dispose(): unknown };
}

/**
 * Follows the Python extension's active environment: `changed` runs each time it changes, so the
 * status and the next PyTorch run use the new interpreter. The facade resolves asynchronously;
 * a subscription that arrives after dispose() is dropped at once. A failing facade is ignored
 * (the setting and PATH still work).
 */
export function followActiveEnvironment(api: (() => Promise<PythonEnvironmentEvents | undefined>) | undefined, changed: () => void): { dispose(): void } {
  let disposed = false;
  let subscription: { dispose(): unknown } | undefined;
  if (api) {
    void api().then(
      (events) => {
        if (!events) return;
        const sub = events.onDidChangeActiveEnvironmentPath(() => {
          if (!disposed) changed();
        });
        if (disposed) sub.dispose();
        else subscription = sub;
      },
      () => undefined,
    );
  }
  return {
    dispose() {
      disposed = true;
      subscription?.dispose();
      subscription = undefined;
    },
  };
}
