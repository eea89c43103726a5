/**
 * PyTorch runs through the same runner the extension uses (src/probe/runner.ts), in a real
 * Python with Debian's python3-torch: Stop (cancel) ends a hanging model with every process it
 * started, and a failure in the user's code sends its whole traceback to the log (the InitLens
 * output channel) while the run's reason stays one line.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startRuns } from '../../src/probe/runner';
import { DEFAULT_CONFIG } from '../../src/probe/config';
import { torchRequests } from '../../src/probe/pytorch/requests';
import type { ProbeEvent } from '../../src/protocol';

const python = process.env.INITLENS_TEST_PYTHON ?? '/usr/bin/python3';
const faults = join(__dirname, '..', 'fixtures', 'pytorch', 'faults.py');

function alive(pid: number): boolean {
  try {
    // A killed child of a reaper-less container lingers as a zombie: that is not running.
    return !/\)\s+Z/.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return false;
  }
}

test('PyTorch: Stop ends a hanging model with every process it started', async () => {
  const pidFile = join(mkdtempSync(join(tmpdir(), 'initlens-stop-')), 'pids');
  process.env.INITLENS_TEST_PID_FILE = pidFile;
  try {
    const events: ProbeEvent[] = [];
    const requests = torchRequests({ file: faults, name: 'Hangs' }, { ...DEFAULT_CONFIG, steps: 5 }, [], { asWritten: true });
    const handle = startRuns(requests, { jobs: 1, pytorch: { python, timeoutSeconds: 0, device: 'cpu' }, onEvent: (e) => events.push(e) });
    // The model's forward has started its child and is sleeping: the pid file says so.
    const deadline = Date.now() + 120_000;
    while (!existsSync(pidFile) || readFileSync(pidFile, 'utf8').split(' ').length < 2) {
      assert.ok(Date.now() < deadline, `the model never started (events: ${events.map((e) => e.type).join(', ')})`);
      await new Promise((r) => setTimeout(r, 100));
    }
    const pids = readFileSync(pidFile, 'utf8').split(' ').map(Number);
    assert.ok(pids.every(alive), 'both processes run before Stop');
    await handle.cancel();
    await handle.done;
    for (const pid of pids) assert.equal(alive(pid), false, `process ${pid} was ended by Stop`);
    assert.equal(handle.running, 0);
  } finally {
    delete process.env.INITLENS_TEST_PID_FILE;
  }
});

test("PyTorch: the user's failing forward is one line in the run and its whole traceback in the log", async () => {
  const events: ProbeEvent[] = [];
  const log: string[] = [];
  const requests = torchRequests({ file: faults, name: 'BadForward' }, { ...DEFAULT_CONFIG, steps: 5 }, [], { asWritten: true });
  const handle = startRuns(requests, { jobs: 1, pytorch: { python, timeoutSeconds: 120, device: 'cpu' }, onEvent: (e) => events.push(e), onLog: (l) => log.push(l) });
  await handle.done;
  const failed = events.find((e) => e.type === 'failed');
  assert.ok(failed && failed.type === 'failed', `events: ${events.map((e) => e.type).join(', ')}`);
  assert.match(failed.reason, /^forward failed: RuntimeError: .* \(faults\.py:25\)$/);
  assert.doesNotMatch(failed.reason, /\n/);
  const trace = log.find((l) => l.includes('Traceback'));
  assert.ok(trace, `a traceback in the log; got ${log.length} lines`);
  assert.match(trace, new RegExp(`File "${faults.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}", line 25, in forward`));
  assert.match(trace, /RuntimeError: mat1 and mat2 shapes cannot be multiplied/);
});

test('PyTorch: a PyTorch process holds one of the jobs, so a node probe beside it is given one thread, not both', async () => {
  const events: ProbeEvent[] = [];
  const torchRuns = torchRequests({ file: faults, name: 'Hangs' }, { ...DEFAULT_CONFIG, steps: 5 }, [], { asWritten: true });
  const node = { runId: 'node', label: 'he_normal', initializer: 'he_normal', config: { ...DEFAULT_CONFIG, data: 'mnist', steps: 20, every: 10 } };
  const budgets: Record<string, number>[] = [];
  const handle = startRuns([...torchRuns, node], {
    jobs: 2,
    pytorch: { python, timeoutSeconds: 0, device: 'cpu' },
    onEvent: (e) => {
      events.push(e);
      budgets.push(handle.threadBudgets());
      if (e.type === 'finished' && e.runId === 'node') void handle.cancel();
    },
  });
  await handle.done;
  const finished = events.find((e) => e.type === 'finished' && e.runId === 'node');
  assert.ok(finished && finished.type === 'finished', `events: ${events.map((e) => `${e.runId} ${e.type}`).join(', ')}`);
  assert.equal(finished.timing.threads, 1);
  assert.ok(budgets.length > 0 && budgets.every((b) => Object.keys(b).every((id) => id === 'node') && (b.node ?? 1) === 1), JSON.stringify(budgets));
  assert.equal(handle.running, 0);
});
