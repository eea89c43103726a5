/** The probe process's thread budget: whole numbers ≥ 1, listeners told only of changes. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { onThreadBudget, setThreadBudget, threadBudget } from '../../src/probe/kernels/threadBudget';

test('the thread budget starts at 1, tells listeners of changes only, and refuses what is not a thread count', () => {
  assert.equal(threadBudget(), 1);
  const heard: number[] = [];
  const stop = onThreadBudget((n) => heard.push(n));
  setThreadBudget(2);
  setThreadBudget(2);
  setThreadBudget(1);
  stop();
  setThreadBudget(3);
  assert.deepEqual(heard, [2, 1]);
  assert.equal(threadBudget(), 3);
  for (const bad of [0, -1, 1.5, NaN]) assert.throws(() => setThreadBudget(bad), /whole number/);
  assert.equal(threadBudget(), 3);
  setThreadBudget(1);
});
