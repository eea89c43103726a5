/**
 * RunFolder (src/host/runFolder.ts) on real files: a runs folder created after watching starts,
 * files written by another process, old quiet runs not replayed, finished runs no longer polled.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { appendFileSync, mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RunFolder } from '../../src/host/runFolder';

function tempRuns(): { root: string; dir: string } {
  const root = mkdtempSync(join(tmpdir(), 'initlens-runfolder-'));
  return { root, dir: join(root, '.initlens', 'runs') };
}

test('a folder created after watching starts: new files and growth are reported by polling alone', () => {
  const { root, dir } = tempRuns();
  const changed: string[] = [];
  const folder = new RunFolder(dir, { changed: (f) => changed.push(f) });
  try {
    folder.poll(); // no folder yet
    assert.deepEqual(changed, []);
    mkdirSync(dir, { recursive: true });
    const run = join(dir, 'watch-a.jsonl');
    writeFileSync(run, '{"type":"started"}\n');
    writeFileSync(join(dir, 'notes.txt'), 'not a run');
    folder.poll();
    assert.deepEqual(changed, [run]);
    folder.poll();
    assert.deepEqual(changed, [run], 'an unchanged file is not reported again');
    appendFileSync(run, '{"type":"step"}\n');
    folder.poll();
    assert.deepEqual(changed, [run, run], 'growth of a live file is reported');
    folder.settle(run);
    appendFileSync(run, '{"type":"step"}\n');
    folder.poll();
    assert.deepEqual(changed, [run, run], 'a settled run is no longer polled');
  } finally {
    folder.dispose();
    rmSync(root, { recursive: true, force: true });
  }
});

test('old quiet runs already in the folder are not replayed; recent ones are', () => {
  const { root, dir } = tempRuns();
  mkdirSync(dir, { recursive: true });
  const old = join(dir, 'watch-old.jsonl');
  const recent = join(dir, 'watch-recent.jsonl');
  writeFileSync(old, '{}\n');
  writeFileSync(recent, '{}\n');
  const hourAgo = new Date(Date.now() - 3600_000);
  utimesSync(old, hourAgo, hourAgo);
  const changed: string[] = [];
  const folder = new RunFolder(dir, { changed: (f) => changed.push(f) });
  try {
    folder.poll();
    assert.deepEqual(changed, [recent]);
  } finally {
    folder.dispose();
    rmSync(root, { recursive: true, force: true });
  }
});

test('started: a file another process creates and appends to is reported until it ends', async () => {
  const { root, dir } = tempRuns();
  const changed: string[] = [];
  const folder = new RunFolder(dir, { changed: (f) => changed.push(f), intervalMs: 100 }).start();
  const run = join(dir, 'watch-child.jsonl');
  try {
    // Another process makes the folder and writes three lines, one at a time, each after the
    // parent says it saw the previous one (stdin), so no step depends on timing.
    const child = spawn(process.execPath, ['-e', `
      const fs = require('fs');
      fs.mkdirSync(${JSON.stringify(dir)}, { recursive: true });
      let n = 0;
      const write = () => fs.appendFileSync(${JSON.stringify(run)}, JSON.stringify({ n: n++ }) + '\\n');
      write();
      process.stdin.on('data', () => { if (n < 3) write(); else process.exit(0); });
    `], { stdio: ['pipe', 'inherit', 'inherit'] });
    for (let lines = 1; lines <= 3; lines++) {
      const deadline = Date.now() + 60_000;
      while (changed.length < lines) {
        assert.ok(Date.now() < deadline, `line ${lines} was never noticed (${changed.length} reports)`);
        await new Promise((r) => setTimeout(r, 50));
      }
      assert.ok(changed.every((f) => f === run));
      child.stdin.write('next\n');
    }
    await new Promise((r) => child.on('exit', r));
  } finally {
    folder.dispose();
    rmSync(root, { recursive: true, force: true });
  }
});
