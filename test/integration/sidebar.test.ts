// The sidebar in a real VS Code: the view resolves, its webview and the host talk through the
// validated protocol, settings and form follow each other, Compare runs real probes, and the
// history fills. What the webview shows is read back through the test-only `initlens._sidebarState`.
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import type { SidebarTestState } from '../../src/sidebar/testHooks';
import type { SidebarTestReport } from '../../src/protocol/testReports';
import { initLens, log, waitFor } from './helpers';

const state = async (): Promise<SidebarTestState> => {
  const s = await vscode.commands.executeCommand<SidebarTestState | undefined>('initlens._sidebarState');
  if (!s) throw new Error('initlens._sidebarState is not registered (not in test mode?)');
  return s;
};
/** Hands the host a message as the webview would: it goes through the same validation. */
const send = (message: unknown): Thenable<boolean> => vscode.commands.executeCommand<boolean>('initlens._sidebarReceive', message);
const settings = (): vscode.WorkspaceConfiguration => vscode.workspace.getConfiguration('initlens');

async function report(check: (r: SidebarTestReport) => boolean, what: string, timeoutMs = 10_000): Promise<SidebarTestReport> {
  let last: SidebarTestReport | undefined;
  await waitFor(
    what,
    async () => {
      last = (await state()).report;
      return last !== undefined && check(last);
    },
    timeoutMs,
  ).catch((err: Error) => {
    throw new Error(`${err.message}; the webview last reported ${JSON.stringify(last)?.slice(0, 1500)}`);
  });
  return last!;
}

const touched = ['steps', 'statsInterval', 'hiddenLayers', 'learningRate'];

describe('InitLens sidebar', function () {
  this.timeout(60_000);
  /** History entries other suites left: never deleted here. */
  let othersHistory = new Set<string>();

  before(async () => {
    await initLens().activate();
  });

  after(async () => {
    for (const key of touched) await settings().update(key, undefined, vscode.ConfigurationTarget.Global);
    const { selection } = await state();
    for (const text of selection.custom) await send({ type: 'removeCustom', text });
    for (const id of ['zeros', 'random_normal', 'glorot_normal', 'he_normal']) await send({ type: 'setChecked', text: id, checked: true });
    const r = (await state()).report;
    for (const item of r?.history ?? []) if (!othersHistory.has(item.id)) await send({ type: 'deleteHistory', id: item.id });
  });

  it('resolves when its activity-bar container opens, and the webview reports what it shows', async () => {
    await vscode.commands.executeCommand('workbench.view.extension.initlens');
    await waitFor('the sidebar webview to say ready', async () => (await state()).ready, 50_000);
    const r = await report((x) => x.catalog.length > 0 && x.backend !== '', 'the first report');
    othersHistory = new Set(r.history.map((h) => h.id));
    for (const name of ['Zeros', 'RandomNormal', 'GlorotNormal', 'GlorotUniform', 'HeNormal', 'HeUniform', 'LecunNormal', 'Orthogonal', 'LSUV']) {
      assert.ok(r.catalog.includes(name), `catalog lacks ${name}: ${r.catalog.join(', ')}`);
    }
    assert.equal(r.catalog.length, 16);
    assert.deepEqual(r.checked, ['zeros', 'random_normal', 'glorot_normal', 'he_normal']);
    assert.equal(r.fields.hiddenLayers?.value, String(settings().get('hiddenLayers')));
    assert.match(r.backend, /auto: tfjs-node if installed, else wasm|wasm|tfjs-node|cpu/);
    assert.match(r.data, /bundled MNIST sample|mnist\.npz/);
    log(`      backend: ${r.backend}; data: ${r.data}`);
  });

  it('shows a settings.json change in the form, and a bad value with its fallback', async () => {
    await settings().update('steps', 123, vscode.ConfigurationTarget.Global);
    await report((x) => x.fields.steps?.value === '123' && x.fields.steps.problem === undefined, 'steps = 123 in the form');
    await settings().update('learningRate', -1, vscode.ConfigurationTarget.Global);
    const r = await report((x) => x.fields.learningRate?.problem !== undefined, 'the learning-rate problem');
    assert.equal(r.fields.learningRate?.value, '-1');
    assert.match(r.fields.learningRate?.problem ?? '', /learning rate.*using 0\.001/);
    await settings().update('learningRate', undefined, vscode.ConfigurationTarget.Global);
    await report((x) => x.fields.learningRate?.problem === undefined, 'the problem to go');
  });

  it('writes a valid form change to the settings and refuses a bad one with its reason', async () => {
    assert.equal(await send({ type: 'setSetting', key: 'hiddenLayers', value: '64x2' }), true);
    await waitFor('initlens.hiddenLayers = 64x2', () => settings().get('hiddenLayers') === '64x2');
    await report((x) => x.fields.hiddenLayers?.value === '64x2', 'the form to show 64x2');
    assert.equal(await send({ type: 'setSetting', key: 'steps', value: '40' }), true);
    await waitFor('initlens.steps = 40 (a number)', () => settings().get('steps') === 40);

    assert.equal(await send({ type: 'setSetting', key: 'hiddenLayers', value: '64x0' }), true);
    assert.match((await state()).fieldResults.hiddenLayers?.problem ?? '', /layer count must be at least 1/);
    assert.equal(await send({ type: 'setSetting', key: 'batchSize', value: '3.5' }), true);
    assert.match((await state()).fieldResults.batchSize?.problem ?? '', /batch size must be a whole number/);
    assert.equal(await send({ type: 'setSetting', key: 'hiddenLayers', value: '8192x200' }), true);
    assert.match((await state()).fieldResults.hiddenLayers?.problem ?? '', /network too large/);
    assert.equal(settings().get('hiddenLayers'), '64x2', 'refused values are not written');
    assert.equal(settings().inspect('batchSize')?.globalValue, undefined);
  });

  it('drops malformed and unknown messages and keeps working', async () => {
    const before = (await state()).dropped;
    assert.equal(await send('not an object'), false);
    assert.equal(await send({ type: 'bogus' }), false);
    assert.equal(await send({ type: 'setSetting', key: 'notASetting', value: '1' }), false);
    assert.equal(await send({ type: 'setSetting', key: 'steps', value: 40 }), false);
    assert.equal(await send({ type: 'openHistory' }), false);
    assert.equal((await state()).dropped, before + 5);
    assert.equal(settings().get('steps'), 40);
    assert.equal(await send({ type: 'setChecked', text: 'zeros', checked: true }), true);
  });

  it('adds written initializers through the parser, with suggestions for a typo', async () => {
    await send({ type: 'addCustom', text: 'he_norml' });
    const typo = await report((x) => /did you mean/.test(x.customMessage ?? ''), 'the parse error');
    assert.match(typo.customMessage ?? '', /unknown initializer 'he_norml' — did you mean he_normal/);
    await send({ type: 'addCustom', text: 'HeNormal()' });
    await report((x) => /Same as HeNormal/.test(x.customMessage ?? ''), 'the catalog match');
    await send({ type: 'addCustom', text: 'HeNormal(seed=7)' });
    const added = await report((x) => x.custom.includes('HeNormal(seed=7)'), 'the written initializer in the list');
    assert.ok(added.checked.includes('HeNormal(seed=7)'));
  });

  it('compares the checked initializers on the settings network, shows progress, then history', async function () {
    this.timeout(240_000);
    await settings().update('statsInterval', 10, vscode.ConfigurationTarget.Global);
    await settings().update('hiddenLayers', '32', vscode.ConfigurationTarget.Global);
    for (const id of ['zeros', 'random_normal', 'glorot_normal']) await send({ type: 'setChecked', text: id, checked: false });
    await report((x) => x.checked.length === 2 && x.fields.hiddenLayers?.value === '32', 'two checked, 32 wide');
    const historyBefore = (await state()).report?.history.length ?? 0;
    // A comparison another suite left running would make the panel ask (a modal) first.
    if ((await state()).session.running) await vscode.commands.executeCommand('initlens.stop');

    await send({ type: 'compare' });
    const s = await state();
    assert.deepEqual(
      s.lastRequests.map((r) => [r.label, r.hidden, r.steps, r.activation]),
      [
        ['HeNormal', [32], 40, 'relu'],
        ['HeNormal(seed=7)', [32], 40, 'relu'],
      ],
    );
    assert.deepEqual(
      s.session.runs.map((r) => r.initializer),
      ['HeNormal', 'HeNormal(seed=7)'],
    );
    await report((x) => x.progress.length === 2, 'two progress rows');
    const done = await report((x) => x.history.length === historyBefore + 1, 'the comparison in the history', 180_000);
    assert.match(done.history[0]?.text ?? '', /784→32→10 relu, 40 steps/);
    assert.match(done.history[0]?.text ?? '', /HeNormal \d+\.\d%/);
    await report((x) => /^(wasm|tfjs-node|cpu)/.test(x.backend), 'the backend the runs used');
    await report((x) => x.progress.every((p) => / 40\/40/.test(p)), 'both runs at 40/40');
    // The notice no longer says "Started 2 probes…" once they are done.
    const ended = await report((x) => /^Finished 2 probes: 2 finished\./.test(x.notice ?? ''), 'the notice to say the probes finished');
    assert.doesNotMatch(ended.notice ?? '', /Started/);
    log(`      history: ${done.history[0]?.text}`);
  });

  it('reopens a stored comparison without re-running, and deletes it', async () => {
    const r = (await state()).report;
    const id = r?.history[0]?.id;
    assert.ok(id, 'a stored comparison');
    assert.equal(await send({ type: 'openHistory', id }), true);
    const s = await state();
    assert.equal(s.session.running, false, 'reopening runs nothing');
    assert.deepEqual(
      s.session.runs.map((x) => [x.initializer, x.status]),
      [
        ['HeNormal', 'finished'],
        ['HeNormal(seed=7)', 'finished'],
      ],
    );
    await send({ type: 'deleteHistory', id });
    await report((x) => !x.history.some((h) => h.id === id), 'the entry to go');
    await send({ type: 'openHistory', id });
    await report((x) => /no longer stored/.test(x.notice ?? ''), 'the reason it cannot reopen');
  });
});
