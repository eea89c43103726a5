/**
 * Live runs of the user's own training: watch() (python/initlens_probe) writes JSON lines under
 * each workspace folder's .initlens/runs/ (or $INITLENS_RUN_DIR); this follows those files as
 * they grow and feeds their events to the session, so the panel and the history show them like
 * any probe. Reading only — nothing here runs code — but still only in trusted workspaces.
 * "InitLens: Set Up Python Helper" makes the helper importable in the integrated terminal.
 */
import * as vscode from 'vscode';
import { open } from 'node:fs/promises';
import { basename, join } from 'node:path';
import type { CompareApi, InitLensContext } from './context';
import { pythonStatus } from './python';
import { WatchFileReader } from '../probe/pytorch/watchFile';
import { pythonHelperDir } from '../probe/paths';
import { newDocument } from '../results';
import type { ResultsDocument } from '../results';
import { DEFAULT_CONFIG } from '../probe/config';
import { RunFolder } from './runFolder';
import { firstLine } from '../protocol/parse';

export const RUNS_GLOB = '.initlens/runs/*.jsonl';

interface Followed {
  reader: WatchFileReader;
  offset: number;
  doc?: ResultsDocument;
  reading?: Promise<void>;
  again?: boolean;
}

/** The lines to paste into a notebook or script, for this machine's helper folder. */
export function setupSnippet(helperDir: string, runDir: string): string {
  return [
    'import sys',
    `sys.path.insert(0, ${JSON.stringify(helperDir)})`,
    `import os; os.environ.setdefault('INITLENS_RUN_DIR', ${JSON.stringify(runDir)})`,
    'from initlens_probe import watch',
    'watcher = watch(model, every=10)  # after building the model, before training',
  ].join('\n');
}

export function registerWatchRuns(ctx: InitLensContext, compare: CompareApi): void {
  const { session, log } = ctx;
  const followed = new Map<string, Followed>();
  const folders = new Map<string, RunFolder>();
  const settle = (file: string): void => {
    for (const folder of folders.values()) folder.settle(file);
  };

  const read = async (uri: vscode.Uri): Promise<void> => {
    const key = uri.fsPath;
    let f = followed.get(key);
    if (!f) followed.set(key, (f = { reader: new WatchFileReader(basename(key)), offset: 0 }));
    if (f.reading) {
      f.again = true;
      return f.reading;
    }
    const entry = f;
    entry.reading = (async () => {
      do {
        entry.again = false;
        let handle;
        try {
          handle = await open(key, 'r');
          const { size } = await handle.stat();
          if (size < entry.offset) {
            log.warn(`${basename(key)}: the watch file shrank; reading it again from the start`);
            entry.offset = 0;
            entry.reader = new WatchFileReader(basename(key));
            entry.doc = undefined;
          }
          if (size === entry.offset) continue;
          const buffer = Buffer.alloc(size - entry.offset);
          await handle.read(buffer, 0, buffer.length, entry.offset);
          // Only whole UTF-8 text up to the last newline counts; the reader keeps the rest.
          entry.offset = size;
          const chunk = entry.reader.push(buffer.toString('utf8'));
          for (const w of chunk.warnings) log.warn(`watch: ${w}`);
          for (const event of chunk.events) {
            if (event.type === 'started' && !entry.doc) {
              const label = event.model ? `${event.model.name} (watch)` : 'watch';
              entry.doc = newDocument([{ runId: event.runId, label, initializer: label, config: { ...DEFAULT_CONFIG, hidden: [1] } }]);
              // The user's training has no InitLens probe config (optimizer, steps, data are theirs):
              // without one the panel and the history describe the run by its model, not by defaults.
              entry.doc.config = null;
              log.info(`watch: following ${key}`);
              // A live run comes to the front, unless a comparison of this window is running.
              if (!session.running) await compare.showDocument(entry.doc, `Live: watch() in ${event.model?.file ? basename(event.model.file) : 'your training'} — ${label}`);
            }
            if (entry.doc) session.ingest(entry.doc, event);
            if (event.type === 'finished' || event.type === 'failed') settle(key);
          }
        } catch (err) {
          log.warn(`watch: could not read ${key}: ${firstLine(err)}`);
        } finally {
          await handle?.close();
        }
      } while (entry.again);
      entry.reading = undefined;
    })();
    return entry.reading;
  };

  // Three signals, any of which is enough (runFolder.ts says why): VS Code's watcher, fs.watch
  // on each workspace folder's runs folder, and a poll every second of the folder and live runs.
  const start = (): void => {
    if (!vscode.workspace.isTrusted) return;
    if (folders.size === 0) {
      const watcher = vscode.workspace.createFileSystemWatcher(RUNS_GLOB);
      watcher.onDidCreate((uri) => void read(uri));
      watcher.onDidChange((uri) => void read(uri));
      watcher.onDidDelete((uri) => followed.delete(uri.fsPath));
      ctx.extension.subscriptions.push(watcher);
    }
    const wanted = new Set((vscode.workspace.workspaceFolders ?? []).filter((f) => f.uri.scheme === 'file').map((f) => join(f.uri.fsPath, '.initlens', 'runs')));
    for (const [dir, folder] of folders) {
      if (!wanted.has(dir)) {
        folder.dispose();
        folders.delete(dir);
      }
    }
    for (const dir of wanted) {
      if (!folders.has(dir)) folders.set(dir, new RunFolder(dir, { changed: (file) => void read(vscode.Uri.file(file)) }).start());
    }
  };
  start();
  ctx.extension.subscriptions.push(
    vscode.workspace.onDidGrantWorkspaceTrust(start),
    vscode.workspace.onDidChangeWorkspaceFolders(start),
    { dispose: () => folders.forEach((folder) => folder.dispose()) },
    // Test-only (not in the manifest): which interpreter PyTorch runs would use, and why.
    vscode.commands.registerCommand('initlens._pythonStatus', async () => {
      const status = await pythonStatus(vscode.workspace.workspaceFolders?.[0]?.uri);
      return { executable: status.choice.executable, source: status.choice.source, why: status.choice.why, torch: status.check?.ok ? status.check.status.torch : null, device: status.check?.ok ? status.check.status.device : null, problem: status.problem };
    }),
    vscode.commands.registerCommand('initlens.setUpPythonHelper', async () => {
      const folder = vscode.workspace.workspaceFolders?.[0];
      const runDir = folder ? vscode.Uri.joinPath(folder.uri, '.initlens', 'runs').fsPath : '.initlens/runs';
      const helper = pythonHelperDir();
      const env = ctx.extension.environmentVariableCollection;
      env.description = 'InitLens: makes `from initlens_probe import watch` importable and points it at this workspace';
      env.prepend('PYTHONPATH', helper + (process.platform === 'win32' ? ';' : ':'));
      env.replace('INITLENS_RUN_DIR', runDir);
      const snippet = setupSnippet(helper, runDir);
      const doc = await vscode.workspace.openTextDocument({ language: 'python', content: `# InitLens: new integrated terminals can now import initlens_probe (PYTHONPATH, INITLENS_RUN_DIR).\n# For a notebook or another terminal, paste:\n${snippet}\n` });
      await vscode.window.showTextDocument(doc, { preview: true });
      log.info(`Set Up Python Helper: PYTHONPATH += ${helper}; INITLENS_RUN_DIR = ${runDir}`);
      return snippet;
    }),
  );
}
