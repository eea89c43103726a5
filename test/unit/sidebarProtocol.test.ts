/** Host ⇄ sidebar messages: what passes, what is dropped, and that real data fits the schemas. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { parseHostMessage, parseSidebarMessage } from '../../src/protocol/sidebar';
import type { HostToSidebar } from '../../src/protocol/sidebar';
import { INITIALIZER_CATALOG } from '../../src/probe/initializers/catalog';
import { DEFAULT_CONFIG } from '../../src/probe/config';
import { loadNote } from '../../src/notes';
import { SETTING_KEYS } from '../../src/view/settingsForm';
import { backendStatus, dataStatus } from '../../src/sidebar/status';
import { describeDataSource } from '../../src/probe/data/describeData';
import { bundledDataPath } from '../../src/probe/paths';

const values = Object.fromEntries(SETTING_KEYS.map((k) => [k, ''])) as Record<(typeof SETTING_KEYS)[number], string>;

function snapshot(): HostToSidebar {
  return {
    type: 'snapshot',
    settings: { values, effective: values, config: { ...DEFAULT_CONFIG }, problems: [{ key: 'steps', message: 'steps: "x" is not valid' }], ignoredForTrust: [] },
    catalog: INITIALIZER_CATALOG.map((e) => ({ id: e.id, className: e.className, formula: e.formula, summary: e.summary, noteId: e.noteId, suits: [...e.suits] })),
    selection: { selected: ['zeros'], custom: [{ text: 'HeNormal(seed=1)', canonical: 'HeNormal(seed=1)' }] },
    status: {
      backend: backendStatus('auto', undefined),
      data: dataStatus('mnist', () => describeDataSource('mnist', { bundledPath: bundledDataPath() })),
      running: false,
    },
    progress: [{ runId: 'r1', label: 'he_normal', status: 'running', step: 10, steps: 300, flags: [] }],
    history: [{ id: 'abc-123', when: '14:03', at: '2025-01-01T14:03:00Z', network: '784→128→10 relu, 300 steps', runs: [{ initializer: 'zeros', accuracy: '11.3%', flags: ['symmetric'] }] }],
  };
}

test('a snapshot built from the real catalog and data description passes the webview’s check', () => {
  const parsed = parseHostMessage(JSON.parse(JSON.stringify(snapshot())));
  assert.ok(parsed.ok, parsed.ok ? '' : parsed.error);
});

test('every catalog entry’s note exists and fits the note message', () => {
  for (const entry of INITIALIZER_CATALOG) {
    const note = loadNote(entry.noteId);
    assert.ok(note, `${entry.id}: no note ${entry.noteId}`);
    const parsed = parseHostMessage({ type: 'note', noteId: entry.noteId, note });
    assert.ok(parsed.ok, parsed.ok ? '' : parsed.error);
  }
});

test('the webview’s messages pass', () => {
  const good: unknown[] = [
    { type: 'ready' },
    { type: 'setSetting', key: 'hiddenLayers', value: '256x8' },
    { type: 'setChecked', text: 'he_normal', checked: false },
    { type: 'addCustom', text: 'nn.init.orthogonal_(w)' },
    { type: 'removeCustom', text: 'HeNormal(seed=1)' },
    { type: 'requestNote', noteId: 'he' },
    { type: 'compare' },
    { type: 'stop' },
    { type: 'openHistory', id: 'abc-123' },
    { type: 'deleteHistory', id: 'abc-123' },
    { type: 'clearHistory' },
    { type: 'manageTrust' },
    { type: 'openSettings' },
  ];
  for (const m of good) assert.ok(parseSidebarMessage(m).ok, JSON.stringify(m));
});

test('malformed and unknown messages are refused with a one-line reason', () => {
  const bad: [unknown, RegExp][] = [
    [undefined, /undefined/],
    ['ready', /string/],
    [null, /object/],
    [[], /object/],
    [{}, /type/],
    [{ type: 'bogus' }, /bogus: type/],
    [{ type: 'setSetting', key: 'diagnostics.enabled', value: 'false' }, /setSetting: key/],
    [{ type: 'setSetting', key: '__proto__', value: '1' }, /key/],
    [{ type: 'setSetting', key: 'steps', value: 40 }, /value: Expected string/],
    [{ type: 'setSetting', key: 'steps', value: 'x'.repeat(5000) }, /value/],
    [{ type: 'setChecked', text: 'zeros' }, /checked/],
    [{ type: 'requestNote', noteId: '' }, /noteId/],
    [{ type: 'openHistory' }, /id/],
    [{ type: 'testReport', report: { fields: {} } }, /testReport: report/],
  ];
  for (const [m, reason] of bad) {
    const r = parseSidebarMessage(m);
    assert.ok(!r.ok, `accepted ${JSON.stringify(m)}`);
    assert.match(r.error, reason);
    assert.doesNotMatch(r.error, /\n/);
  }
});

test('the webview drops host messages that do not fit', () => {
  const s = snapshot() as { settings: { problems: unknown[] } };
  s.settings.problems = [{ key: 'momentum', message: 'x' }];
  assert.equal(parseHostMessage(s).ok, false);
  assert.equal(parseHostMessage({ type: 'progress', reset: false, runs: [{ runId: 'r', label: 'x', status: 'exploded', step: 1, steps: 2, flags: [] }] }).ok, false);
  assert.equal(parseHostMessage({ type: 'history', items: [{ id: '../etc', when: '', at: '', network: '', runs: [] }] }).ok, false);
  assert.equal(parseHostMessage({ type: 'notice', level: 'debug', message: 'x' }).ok, false);
});

test('no input makes the validators throw', () => {
  fc.assert(
    fc.property(fc.anything(), (raw) => {
      parseSidebarMessage(raw);
      parseHostMessage(raw);
    }),
    { numRuns: 1000 },
  );
  fc.assert(
    fc.property(fc.record({ type: fc.constantFrom('setSetting', 'setChecked', 'addCustom', 'openHistory', 'testReport'), key: fc.string(), value: fc.anything(), text: fc.anything() }), (raw) => {
      const r = parseSidebarMessage(raw);
      if (!r.ok) assert.ok(r.error.length > 0);
    }),
    { numRuns: 1000 },
  );
});
