/**
 * Noticing watch() files (python/initlens_probe/watching.py) as another process writes them.
 * VS Code's file watcher alone did not report them in code-server (files written by an outside
 * process, in a folder created after the watcher), so this combines three signals, any of which
 * is enough: fs.watch on the runs folder once it exists, a stat of the folder every tick (a new
 * file changes its mtime; a folder created later is found), and a stat of every live run's file
 * every tick. A file is live from when it is seen until its run says it ended (settle()). Files
 * already there and quiet when watching starts are old runs: they are not replayed.
 * No vscode here: node's fs and timers only, so it is tested on real files.
 */
import { readdirSync, statSync, watch } from 'node:fs';
import type { FSWatcher } from 'node:fs';
import { join } from 'node:path';

export interface RunFolderOptions {
  /** Called when a run file is new or has grown (or shrunk); the caller reads it. */
  changed: (file: string) => void;
  /** Milliseconds between polls. */
  intervalMs?: number;
  /** Files already there whose last write is older than this are old runs, not replayed. */
  quietMs?: number;
}

interface Seen {
  size: number;
  mtimeMs: number;
  live: boolean;
}

const RUN_FILE = /\.jsonl$/;

export class RunFolder {
  private readonly seen = new Map<string, Seen>();
  private dirMtime = -1;
  private fsWatcher: FSWatcher | undefined;
  private timer: NodeJS.Timeout | undefined;
  private first = true;
  private readonly intervalMs: number;
  private readonly quietMs: number;

  constructor(readonly dir: string, private readonly options: RunFolderOptions) {
    this.intervalMs = options.intervalMs ?? 1000;
    this.quietMs = options.quietMs ?? 30_000;
  }

  start(): this {
    this.poll();
    this.timer = setInterval(() => this.poll(), this.intervalMs);
    this.timer.unref?.();
    return this;
  }

  /** The run in `file` ended: stop polling it (a later write still counts through fs.watch or the folder). */
  settle(file: string): void {
    const s = this.seen.get(file);
    if (s) s.live = false;
  }

  dispose(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    this.fsWatcher?.close();
    this.fsWatcher = undefined;
  }

  /** One look at the folder and the live files; public so a test or another signal can ask for one now. */
  poll(): void {
    let dirMtime: number;
    try {
      dirMtime = statSync(this.dir).mtimeMs;
    } catch {
      // Not there (yet): watch() creates it on its first run.
      this.fsWatcher?.close();
      this.fsWatcher = undefined;
      this.dirMtime = -1;
      this.first = false;
      return;
    }
    if (!this.fsWatcher) {
      try {
        this.fsWatcher = watch(this.dir, { persistent: false }, (_event, name) => {
          if (name && RUN_FILE.test(String(name))) this.check(join(this.dir, String(name)), false);
          else this.poll();
        });
        this.fsWatcher.on('error', () => {
          this.fsWatcher?.close();
          this.fsWatcher = undefined;
        });
      } catch {
        this.fsWatcher = undefined; // polling still covers it
      }
    }
    if (dirMtime !== this.dirMtime) {
      this.dirMtime = dirMtime;
      let names: string[] = [];
      try {
        names = readdirSync(this.dir).filter((n) => RUN_FILE.test(n));
      } catch {
        names = [];
      }
      for (const name of names) {
        const file = join(this.dir, name);
        if (!this.seen.has(file)) this.check(file, this.first);
      }
      for (const file of [...this.seen.keys()]) if (!names.includes(file.slice(this.dir.length + 1))) this.seen.delete(file);
    }
    for (const [file, s] of this.seen) if (s.live) this.check(file, false);
    this.first = false;
  }

  private check(file: string, atStart: boolean): void {
    let size: number;
    let mtimeMs: number;
    try {
      ({ size, mtimeMs } = statSync(file));
    } catch {
      this.seen.delete(file);
      return;
    }
    const s = this.seen.get(file);
    if (!s) {
      const old = atStart && Date.now() - mtimeMs > this.quietMs;
      this.seen.set(file, { size, mtimeMs, live: !old });
      if (!old) this.options.changed(file);
      return;
    }
    if (s.size === size && s.mtimeMs === mtimeMs) return;
    s.size = size;
    s.mtimeMs = mtimeMs;
    s.live = true;
    this.options.changed(file);
  }
}
