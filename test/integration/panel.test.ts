// The Compare panel in real VS Code: the command (with its non-interactive argument) opens the
// webview, the handshake happens, probe events reach the webview and it reports what it drew,
// Zeros gets its symmetric flag with its note, and the exports write real files.
import * as assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as vscode from 'vscode';
import { initLens, log, waitFor } from './helpers';

interface RenderedRun {
  runId: string;
  initializer: string;
  status: string;
  steps: number;
  flags: string[];
}

interface PanelState {
  open: boolean;
  visible: boolean;
  ready: boolean;
  counters?: { readyCount: number; snapshots: number; deltas: number; dropped: number };
  rendered?: { seq: number; runs: RenderedRun[]; notesShown: string[]; points: number; theme: string };
  title: string;
  running: boolean;
}

const panelState = async (): Promise<PanelState> => (await vscode.commands.executeCommand('initlens._panelState')) as PanelState;

describe('Compare panel', function () {
  this.timeout(180_000);
  const out = mkdtempSync(join(tmpdir(), 'initlens-panel-'));

  before(async () => {
    await initLens().activate();
  });

  after(async () => {
    await vscode.commands.executeCommand('initlens.stop');
  });

  it('opens on Compare Initializers and completes the ready handshake', async () => {
    const started = Date.now();
    await vscode.commands.executeCommand('initlens.compareInitializers', { initializers: ['Zeros', 'HeNormal'], network: 'seed', steps: 60 });
    await waitFor('the panel to say ready', async () => (await panelState()).ready, 30_000);
    const state = await panelState();
    assert.equal(state.open, true);
    assert.ok((state.counters?.readyCount ?? 0) >= 1);
    assert.ok((state.counters?.snapshots ?? 0) >= 1, 'a snapshot answers ready');
    assert.match(state.title, /Seed model: 784→128→10, relu, 60 steps/);
    log(`      panel ready ${Date.now() - started} ms after the command`);
  });

  it('streams step records to the webview, which draws them', async () => {
    const started = Date.now();
    await waitFor(
      'the webview to draw step records of both runs',
      async () => {
        const r = (await panelState()).rendered;
        return r !== undefined && r.runs.length === 2 && r.runs.every((run) => run.steps > 0) && r.points > 0;
      },
      60_000,
    );
    const state = await panelState();
    log(`      first points drawn ${Date.now() - started} ms later: ${state.rendered?.points} points, ${state.counters?.deltas} deltas`);
    assert.equal(state.counters?.dropped, 0, 'no message was dropped');
  });

  it('flags Zeros as symmetric and shows the note', async () => {
    await waitFor(
      'the symmetric flag and its note in the webview',
      async () => {
        const r = (await panelState()).rendered;
        const zeros = r?.runs.find((run) => run.initializer === 'Zeros');
        return zeros !== undefined && zeros.flags.includes('symmetric') && (r?.notesShown.includes('zero-symmetry') ?? false);
      },
      60_000,
    );
    const r = (await panelState()).rendered;
    const he = r?.runs.find((run) => run.initializer === 'HeNormal');
    assert.ok(he && !he.flags.includes('symmetric'), 'HeNormal is not symmetric');
  });

  it('shows the final state when the runs finish', async () => {
    await waitFor('the comparison to end', async () => !(await panelState()).running, 120_000);
    await waitFor(
      'finished runs in the webview',
      async () => (await panelState()).rendered?.runs.every((run) => run.status === 'finished') ?? false,
      10_000,
    );
    const r = (await panelState()).rendered!;
    // 60 steps, statistics every 10: steps 0, 10, …, 60.
    for (const run of r.runs) assert.equal(run.steps, 7, `${run.initializer} drew ${run.steps} step records`);
  });

  it('exports the results as JSON and CSV', async () => {
    const json = join(out, 'results.json');
    const csv = join(out, 'results.csv');
    await vscode.commands.executeCommand('initlens.exportResults', { format: 'json', target: json });
    await vscode.commands.executeCommand('initlens.exportResults', { format: 'csv', target: csv });
    const doc = JSON.parse(readFileSync(json, 'utf8')) as { tool: string; runs: { initializer: string; steps: unknown[]; layers: unknown[]; flags: { kind: string }[] }[] };
    assert.equal(doc.tool, 'initlens');
    assert.deepEqual(
      doc.runs.map((r) => r.initializer),
      ['Zeros', 'HeNormal'],
    );
    assert.ok(doc.runs[0].flags.some((f) => f.kind === 'symmetric'));
    const lines = readFileSync(csv, 'utf8').trimEnd().split('\r\n');
    const expectedRows = doc.runs.reduce((n, r) => n + r.steps.length * r.layers.length, 0);
    assert.equal(lines.length, 1 + expectedRows);
    assert.match(lines[0], /^runId,initializer,status,activation,step,/);
  });

  it('saves chart PNGs and a Markdown report with them', async () => {
    const pngs = (await vscode.commands.executeCommand('initlens.exportResults', { format: 'png', target: join(out, 'charts') })) as vscode.Uri[];
    assert.ok(pngs.length >= 4, `${pngs.length} charts exported`);
    for (const file of pngs) assert.deepEqual([...readFileSync(file.fsPath).subarray(0, 4)], [0x89, 0x50, 0x4e, 0x47]);
    const report = (await vscode.commands.executeCommand('initlens.saveReport', { folder: out })) as vscode.Uri;
    const text = readFileSync(report.fsPath, 'utf8');
    assert.match(text, /^# InitLens report: Seed model/);
    assert.match(text, /\| Zeros \| \w+ \| \d+\.\d% \|/);
    assert.match(text, /Zero and constant initialization \(symmetry\)/);
    const stem = report.fsPath.replace(/\.md$/, '');
    assert.ok(existsSync(stem));
    const images = readdirSync(stem);
    assert.ok(images.includes('activationVariance.png') && images.includes('loss.png'), images.join(', '));
    for (const image of images) assert.ok(text.includes(`](${stem.split('/').pop()}/${image})`), `report links ${image}`);
  });

  it('queues a second comparison while one runs, and stops both', async () => {
    await vscode.commands.executeCommand('initlens.compareInitializers', { initializers: ['GlorotNormal'], network: 'seed', steps: 400 });
    await waitFor('the run to start', async () => (await panelState()).running, 10_000);
    await vscode.commands.executeCommand('initlens.compareInitializers', { initializers: ['LecunNormal'], network: 'seed', steps: 400, ifRunning: 'queue' });
    await waitFor('both runs in the webview', async () => (await panelState()).rendered?.runs.length === 2, 20_000);
    await vscode.commands.executeCommand('initlens.stop');
    await waitFor('the stop', async () => !(await panelState()).running, 20_000);
    await waitFor(
      'cancelled runs in the webview',
      async () => (await panelState()).rendered?.runs.every((run) => run.status === 'cancelled' || run.status === 'finished') ?? false,
      10_000,
    );
  });

  it('comes back with a snapshot after being hidden', async () => {
    const before = (await panelState()).counters!.readyCount;
    const doc = await vscode.workspace.openTextDocument({ content: 'hide the panel', language: 'plaintext' });
    await vscode.window.showTextDocument(doc, { viewColumn: vscode.ViewColumn.Active });
    await waitFor('the panel to be hidden', async () => !(await panelState()).visible, 10_000);
    await vscode.commands.executeCommand('workbench.action.closeActiveEditor');
    await waitFor('the panel to be visible and ready again', async () => {
      const s = await panelState();
      return s.visible && s.ready && (s.counters?.readyCount ?? 0) > before;
    }, 20_000);
    await waitFor('the runs drawn again', async () => (await panelState()).rendered?.runs.length === 2, 10_000);
  });
});
