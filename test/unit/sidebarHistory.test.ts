/** The sidebar's History rows: short local times, each run's accuracy and flags, broken entries skipped. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatAccuracy, formatWhen, historyItem, historyItems } from '../../src/sidebar/history';
import type { HistoryEntry } from '../../src/host/history';

test('history times read short and local', () => {
  const now = new Date(2025, 10, 29, 15, 30);
  assert.equal(formatWhen(new Date(2025, 10, 29, 14, 3).toISOString(), now), '14:03');
  assert.equal(formatWhen(new Date(2025, 10, 28, 9, 5).toISOString(), now), 'yesterday 09:05');
  assert.equal(formatWhen(new Date(2025, 0, 2, 9, 5).toISOString(), now), 'Jan 2, 09:05');
  assert.equal(formatWhen(new Date(2024, 11, 31, 23, 59).toISOString(), now), '2024-12-31');
  assert.equal(formatWhen('yesterday-ish', now), 'unknown time');
  assert.equal(formatAccuracy(0.9312), '93.1%');
  assert.equal(formatAccuracy(null), '—');
  assert.equal(formatAccuracy(Number.NaN), '—');
});

test('history rows: when, network, each initializer’s accuracy and flags; broken entries skipped', () => {
  const now = new Date(2025, 10, 29, 15, 30);
  const entry: HistoryEntry = {
    id: 'm3x-abc123',
    when: new Date(2025, 10, 29, 14, 3).toISOString(),
    network: '784→128→10 relu, 300 steps',
    initializers: ['zeros', 'he_normal'],
    accuracies: [0.1135, 0.9721],
    flags: [['symmetric'], []],
  };
  assert.deepEqual(historyItem(entry, now), {
    id: 'm3x-abc123',
    when: '14:03',
    at: entry.when,
    network: '784→128→10 relu, 300 steps',
    runs: [
      { initializer: 'zeros', accuracy: '11.3%', flags: ['symmetric'] },
      { initializer: 'he_normal', accuracy: '97.2%', flags: [] },
    ],
  });
  const broken = [
    { ...entry, id: '../../etc/passwd' },
    { ...entry, id: 'ok-1', initializers: 'zeros', accuracies: null, flags: [7] },
    null,
  ] as unknown as HistoryEntry[];
  const items = historyItems(broken, now);
  assert.deepEqual(
    items.map((i) => [i.id, i.runs.length]),
    [['ok-1', 0]],
  );
  assert.deepEqual(historyItems('nope' as unknown as HistoryEntry[], now), []);
});
