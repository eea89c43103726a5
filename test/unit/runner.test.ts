/** Probe processes: parallel runs, a crash that spares the others, cancel that leaves nothing behind. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startRuns } from '../../src/probe/runner';
import { probeWorkerPath } from '../../src/probe/paths';
import { DEFAULT_CONFIG } from '../../src/probe/config';
import type { ProbeEvent, RunRequest } from '../../src/protocol';

const worker = probeWorkerPath();
const req = (runId: string, initializer: string, steps = 20): RunRequest => ({
  runId,
  label: initializer,
  initializer,
  config: { ...DEFAULT_CONFIG, data: 'mnist', steps, every: 10 },
});

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

test('the probe process entry is built', () => {
  assert.ok(existsSync(worker), `${worker} missing: run npm run build`);
});

test('two probes run in parallel processes and stream validated events', async () => {
  const events: ProbeEvent[] = [];
  const handle = startRuns([req('a', 'he_normal'), req('b', 'zeros')], { jobs: 2, onEvent: (e) => events.push(e) });
  await handle.done;
  for (const id of ['a', 'b']) {
    const mine = events.filter((e) => e.runId === id);
    assert.equal(mine[0].type, 'started');
    assert.equal(mine.at(-1)!.type, 'finished');
    assert.equal(mine.filter((e) => e.type === 'step').length, 3);
  }
  assert.ok(events.some((e) => e.type === 'flag' && e.runId === 'b' && e.flag.kind === 'symmetric'));
});

test('a probe process that is killed marks its run failed; the other run finishes', async () => {
  const events: ProbeEvent[] = [];
  let killed = false;
  const handle = startRuns([req('victim', 'he_normal', 100000), req('survivor', 'glorot_normal', 30)], {
    jobs: 2,
    onEvent: (e) => {
      events.push(e);
      if (!killed && e.type === 'step' && e.runId === 'victim') {
        killed = true;
        process.kill(handle.processIds().victim!, 'SIGKILL');
      }
    },
  });
  await handle.done;
  const failed = events.find((e) => e.type === 'failed' && e.runId === 'victim');
  assert.ok(failed && failed.type === 'failed');
  assert.match(failed.reason, /killed \(SIGKILL\)/);
  assert.ok(events.some((e) => e.type === 'finished' && e.runId === 'survivor'));
});

test('a probe process that runs out of memory marks its run failed with the reason', async () => {
  const events: ProbeEvent[] = [];
  // An 8 MB JS heap cannot even hold the probe's code and data: V8 aborts the process.
  const handle = startRuns([req('oom', 'he_normal')], { jobs: 1, execArgv: ['--max-old-space-size=8'], onEvent: (e) => events.push(e) });
  await handle.done;
  const failed = events.find((e) => e.type === 'failed');
  assert.ok(failed && failed.type === 'failed', `events: ${events.map((e) => e.type)}`);
  assert.match(failed.reason, /ran out of memory/);
});

test('cancel stops every probe process and leaves none behind', async () => {
  const events: ProbeEvent[] = [];
  let pids: number[] = [];
  let cancelledAt = 0;
  let cancelling: Promise<number> | undefined;
  const handle = startRuns([req('x', 'he_normal', 100000), req('y', 'glorot_normal', 100000), req('queued', 'zeros', 100000)], {
    jobs: 2,
    onEvent: (e) => {
      events.push(e);
      if (cancelledAt === 0 && e.type === 'step') {
        pids = Object.values(handle.processIds()).filter((p): p is number => p !== undefined);
        cancelledAt = performance.now();
        cancelling = handle.cancel().then(() => performance.now() - cancelledAt);
      }
    },
  });
  await handle.done;
  assert.ok(cancelling, 'cancel was called');
  const exitedAfterMs = await cancelling;
  assert.equal(pids.length, 2);
  for (const pid of pids) assert.equal(alive(pid), false, `process ${pid} still alive`);
  console.log(`cancel: ${pids.length} probe processes gone ${exitedAfterMs.toFixed(0)} ms after cancel`);
  assert.ok(!events.some((e) => e.runId === 'queued'), 'a queued run never starts after cancel');
  assert.equal(handle.running, 0);
});

test('malformed lines from a probe process are dropped and logged, not trusted', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'initlens-fake-worker-'));
  const fake = join(dir, 'worker.js');
  writeFileSync(
    fake,
    [
      "process.stdin.once('data', () => {",
      "  console.log('not json');",
      "  console.log(JSON.stringify({ type: 'step', runId: 'r', metrics: { step: 'zero' } }));",
      "  console.log(JSON.stringify({ type: 'launch-missiles', runId: 'r' }));",
      "  console.log(JSON.stringify({ type: 'failed', runId: 'other', reason: 'not mine' }));",
      "  console.log(JSON.stringify({ type: 'failed', runId: 'r', reason: 'the real reason' }));",
      '});',
    ].join('\n'),
  );
  const events: ProbeEvent[] = [];
  const logs: string[] = [];
  const handle = startRuns([req('r', 'he_normal')], { workerPath: fake, onEvent: (e) => events.push(e), onLog: (l) => logs.push(l) });
  await handle.done;
  assert.deepEqual(events, [{ type: 'failed', runId: 'r', reason: 'the real reason' }]);
  assert.equal(logs.filter((l) => l.includes('dropped')).length, 4, logs.join('\n'));
});

test('the cpu backend is there as the last fallback', async () => {
  const events: ProbeEvent[] = [];
  const r = req('cpu', 'he_normal', 2);
  const handle = startRuns([{ ...r, config: { ...r.config, backend: 'cpu', every: 1 } }], { onEvent: (e) => events.push(e) });
  await handle.done;
  const started = events.find((e) => e.type === 'started');
  assert.ok(started && started.type === 'started' && started.backend === 'cpu', JSON.stringify(events.at(-1)));
  assert.ok(events.some((e) => e.type === 'finished'));
});
