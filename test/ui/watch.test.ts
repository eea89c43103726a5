// A person's own PyTorch training script, with `watch(model, every=10)` in it, run with a real
// Python (Debian's python3-torch) from the workspace folder while VS Code is open: the Compare
// panel opens by itself and shows the run's layers live — the recorded steps grow while the
// script is still training — and, when it ends, the per-layer values the run file holds.
// The script waits for a line on stdin after each block of ten steps, so "while it runs" is
// checked without any timing: the process is provably still alive, blocked, when the panel
// already shows its latest step.
import * as assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import type { ChildProcessWithoutNullStreams } from 'node:child_process';
import { copyFileSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { FrameLocator } from 'playwright-core';
import { testResultsDir } from '../../scripts/harnessPaths';
import { pythonHelperDir } from '../../src/probe/paths';
import { formatNumber } from '../../src/view/number';
import { openWorkbench, until } from './workbench';
import type { Workbench } from './workbench';

const python = process.env.INITLENS_TEST_PYTHON ?? '/usr/bin/python3';

const SCRIPT = `"""My training script, with InitLens watching it."""
import sys

import torch
from torch import nn
import torch.nn.functional as F

from initlens_probe import watch


class LiveNet(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc1 = nn.Linear(784, 64)
        self.fc2 = nn.Linear(64, 32)
        self.out = nn.Linear(32, 10)

    def forward(self, x):
        x = F.relu(self.fc1(x.flatten(1)))
        x = torch.tanh(self.fc2(x))
        return self.out(x)


torch.manual_seed(0)
model = LiveNet()
opt = torch.optim.SGD(model.parameters(), lr=0.1)
watcher = watch(model, every=10)
x = torch.rand(64, 784)
y = torch.randint(0, 10, (64,))
BLOCKS = 4
for block in range(BLOCKS):
    for _ in range(10):
        opt.zero_grad()
        loss = F.cross_entropy(model(x), y)
        loss.backward()
        opt.step()
    print('block', block, flush=True)
    if block < BLOCKS - 1:
        sys.stdin.readline()  # the test says when to go on
watcher.close()
print('done', watcher.path, flush=True)
`;

interface StepRecord {
  type: 'step';
  metrics: { step: number; layers: { activationVariance: number | null; gradNorm: number | null }[] };
}

describe('watch() in your own training script, live in the panel', () => {
  let workbench: Workbench | undefined;
  let folder = '';
  let child: ChildProcessWithoutNullStreams | undefined;
  let stdout = '';
  let stderr = '';

  before(async () => {
    folder = mkdtempSync(join(tmpdir(), 'initlens-watch-'));
    writeFileSync(join(folder, 'train.py'), SCRIPT);
    workbench = await openWorkbench({ name: 'watch', folder, settings: { 'initlens.pythonPath': python }, viewport: { width: 1440, height: 900 } });
  });
  after(async () => {
    if (child && child.exitCode === null) child.kill();
    await workbench?.close();
    if (folder) rmSync(folder, { recursive: true, force: true });
  });

  const printed = (line: string): Promise<void> => until(`the script to print "${line}" (stderr: ${stderr.slice(-300)})`, () => stdout.split('\n').includes(line), 120_000);
  const go = (): void => {
    child?.stdin.write('go\n');
  };

  it('shows each measured step while the script trains, then the run file\'s final values', { timeout: 480_000 }, async () => {
    assert.ok(workbench);
    const page = workbench.page;
    // The person has their script open (InitLens activates on Python files): its PyTorch
    // CodeLens shows InitLens is up before training starts.
    await workbench.openFile('train.py');
    await page.locator('.monaco-editor .codelens-decoration a').filter({ hasText: 'Probe this model in PyTorch' }).first().waitFor({ timeout: 90_000 });
    // As from the integrated terminal after "Set Up Python Helper": the helper on PYTHONPATH,
    // the working directory the workspace folder, so runs go to its .initlens/runs.
    child = spawn(python, ['train.py'], { cwd: folder, env: { ...process.env, PYTHONPATH: pythonHelperDir(), INITLENS_RUN_DIR: '' } });
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    await printed('block 0');
    // A broken run file next to it (another tool, a killed writer) is skipped, never stops the panel.
    writeFileSync(join(folder, '.initlens', 'runs', 'broken.jsonl'), 'not json\n{"type": "step"');

    // The panel comes by itself, titled after the script and the model.
    const panel: FrameLocator = workbench.webview(0);
    await panel.locator('h1.title').filter({ hasText: 'Live: watch() in train.py' }).waitFor({ timeout: 120_000 });
    await page.keyboard.press('Control+B'); // the panel gets the width a person would give it
    const row = panel.locator('table.summary tbody tr').first();
    await row.waitFor({ timeout: 30_000 });
    assert.match((await row.textContent()) ?? '', /LiveNet \(watch\)/);
    assert.match((await row.textContent()) ?? '', /pytorch/);
    // Read before the first optimizer step: nn.Linear's own default, named as such.
    assert.match((await row.textContent()) ?? '', /PyTorch default: kaiming_uniform_\(a=√5\)/);
    // The run is described by what it is — the user's training — not by InitLens' probe defaults.
    const subtitle = (await panel.locator('.subtitle').textContent()) ?? '';
    assert.match(subtitle, /your own training data \(watch\(\) in train\.py\)/);
    assert.doesNotMatch(subtitle, /steps|adam|batch|seed/);

    const slider = panel.locator('input.step-slider');
    const label = panel.locator('output.step-label');
    const recorded = async (): Promise<number> => Number(await slider.evaluate((el) => (el as HTMLInputElement).max)) + 1;
    await until('step 0 in the panel', async () => /^step 0/.test((await label.textContent()) ?? ''), 60_000);

    // Steps 10 and 20 appear while the script is alive and blocked on its stdin.
    go();
    await printed('block 1');
    await until('two recorded steps', async () => (await recorded()) === 2, 60_000);
    assert.equal(child.exitCode, null, 'the script is still running');
    // The slider at its end follows the latest step from now on.
    await slider.focus();
    await page.keyboard.press('End');
    await until('step 10 shown', async () => (await label.textContent()) === 'step 10', 30_000);
    assert.equal(await row.getAttribute('data-status'), 'running');
    go();
    await printed('block 2');
    await until('step 20 shown live', async () => (await label.textContent()) === 'step 20', 60_000);
    assert.equal(child.exitCode, null, 'the script is still running');
    assert.equal(await row.getAttribute('data-status'), 'running');
    await panel.locator('body').evaluate(() => window.scrollTo(0, 0));
    const live = await workbench.screenshot('live');
    copyFileSync(live, join(testResultsDir, 'watch-live.png'));

    // The script ends: the run is finished, the panel on its last step.
    go();
    await printed('block 3');
    await new Promise<void>((resolve) => (child!.exitCode !== null ? resolve() : child!.once('exit', () => resolve())));
    assert.equal(child.exitCode, 0, stderr);
    await until('the run finished in the panel', async () => (await row.getAttribute('data-status')) === 'finished', 60_000);
    await until('step 30 shown', async () => (await label.textContent()) === 'step 30', 30_000);
    assert.equal((await row.locator('td.status').textContent())?.trim(), 'finished');

    // The panel's numbers are the run file's: its last step, layer by layer.
    const runs = join(folder, '.initlens', 'runs');
    const files = readdirSync(runs).filter((f) => f.endsWith('.jsonl') && f !== 'broken.jsonl');
    assert.equal(files.length, 1);
    const events = readFileSync(join(runs, files[0]), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { type: string });
    const steps = events.filter((e): e is StepRecord => e.type === 'step');
    assert.deepEqual(steps.map((s) => s.metrics.step), [0, 10, 20, 30]);
    assert.equal(events.at(-1)?.type, 'finished');
    const last = steps.at(-1)!.metrics.layers;
    const started = events[0] as unknown as { layers: { name: string; activation: string }[] };
    // F.relu and torch.tanh in forward() are found as the layers' activations.
    assert.deepEqual(started.layers.map((l) => [l.name, l.activation]), [['fc1 (Linear)', 'relu'], ['fc2 (Linear)', 'tanh'], ['out (Linear)', 'linear']]);

    const tableOf = async (chart: string): Promise<Map<string, string>> => {
      const card = panel.locator(`[data-chart="${chart}"]`);
      const details = card.locator('details.chart-table');
      if (!(await details.evaluate((d) => (d as HTMLDetailsElement).open))) await details.locator('summary').click();
      const table = card.locator('table.values');
      await table.waitFor({ timeout: 10_000 });
      const cells = await table.evaluate((t) => {
        const head = Array.from(t.querySelectorAll('thead th')).map((th) => (th as HTMLElement).innerText.trim());
        const rows = Array.from(t.querySelectorAll('tbody tr')).map((tr) => Array.from(tr.children).map((c) => (c as HTMLElement).innerText.trim()));
        return { head, rows };
      });
      const column = cells.head.indexOf('LiveNet (watch)');
      assert.ok(column > 0, `a column for the run in ${cells.head.join(' | ')}`);
      return new Map(cells.rows.map((r) => [r[0], r[column]]));
    };
    const names = started.layers.map((l) => l.name);
    const activation = await tableOf('activationVariance');
    const grad = await tableOf('gradNorm');
    names.forEach((name, i) => {
      assert.equal(activation.get(name), formatNumber(last[i].activationVariance), `Var[a] of ${name}`);
      assert.equal(grad.get(name), formatNumber(last[i].gradNorm), `gradient norm of ${name}`);
    });
    await panel.locator('[data-chart="activationVariance"]').scrollIntoViewIfNeeded();
    await workbench.screenshot('finished-values');

    // The ended run is in the sidebar's history, described by its model and steps; the sidebar's
    // status says which Python PyTorch probes use (initlens.pythonPath here), its torch and device.
    await page.locator('.part.activitybar .action-item a.action-label[aria-label^="InitLens"]').click();
    let entry = '';
    let pythonLine = '';
    await until('the run in the history and the PyTorch status line', async () => {
      const n = await page.locator('iframe.webview').count();
      for (let i = 0; i < n; i++) {
        const frame = workbench!.webview(i);
        const item = frame.locator('.history-item').filter({ hasText: 'LiveNet' }).first();
        if ((await item.count()) > 0) entry = (await item.textContent()) ?? '';
        const status = frame.locator('dl.status dt').filter({ hasText: /^PyTorch$/ }).locator('xpath=following-sibling::dd[1]');
        if ((await status.count()) > 0) pythonLine = (await status.textContent()) ?? '';
      }
      return entry !== '' && /torch \d/.test(pythonLine);
    }, 90_000);
    assert.match(entry, /LiveNet in train\.py, 40 steps/);
    const torchVersion = spawnSync(python, ['-c', 'import torch; print(torch.__version__)'], { encoding: 'utf8' }).stdout.trim();
    assert.ok(pythonLine.startsWith(python), pythonLine);
    assert.ok(pythonLine.includes(`torch ${torchVersion} · cpu`), pythonLine);
    assert.match(pythonLine, /initlens\.pythonPath/);
    await workbench.screenshot('history');
  });
});
