// Restricted Mode and the user's own PyTorch code, in real VS Code: a folder with a PyTorch model
// opens untrusted. InitLens must not offer to run it — the CodeLens above the model says why in
// one line instead of "Probe this model in PyTorch", clicking it repeats the reason — and the
// model's file is never imported (it would leave a marker file if it were). Trusting the folder
// brings the PyTorch CodeLens back.
import * as assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { RESTRICTED_REASON } from '../../src/editor/labels';
import { openWorkbench, until } from './workbench';
import type { Workbench } from './workbench';

describe('PyTorch probes in an untrusted workspace (Restricted Mode)', () => {
  let workbench: Workbench | undefined;
  let folder = '';
  let marker = '';
  before(async () => {
    folder = mkdtempSync(join(tmpdir(), 'initlens-untrusted-torch-'));
    marker = join(folder, 'IMPORTED');
    writeFileSync(
      join(folder, 'model.py'),
      [
        'import torch',
        'from torch import nn',
        '',
        `open(${JSON.stringify(marker)}, 'w').write('this file was imported')`,
        '',
        '',
        'class Net(nn.Module):',
        '    def __init__(self):',
        '        super().__init__()',
        '        self.layers = nn.ModuleList([nn.Linear(784 if i == 0 else 64, 64) for i in range(3)])',
        '        self.out = nn.Linear(64, 10)',
        '',
        '    def forward(self, x):',
        '        x = x.flatten(1)',
        '        for layer in self.layers:',
        '            x = torch.relu(layer(x))',
        '        return self.out(x)',
        '',
      ].join('\n'),
    );
    // User settings (not restricted): the Python with torch, and a short probe.
    workbench = await openWorkbench({ name: 'trust-pytorch', folder, workspaceTrust: true, settings: { 'initlens.pythonPath': '/usr/bin/python3', 'initlens.steps': 30 }, viewport: { width: 1280, height: 800 } });
  });
  after(async () => {
    await workbench?.close();
    if (folder) rmSync(folder, { recursive: true, force: true });
  });

  it('offers no PyTorch run: the CodeLens says why in one line, and nothing is imported', { timeout: 240_000 }, async () => {
    assert.ok(workbench);
    const page = workbench.page;
    await page.locator('.statusbar-item').filter({ hasText: 'Restricted Mode' }).first().waitFor({ timeout: 60_000 });
    await workbench.openFile('model.py');
    const lenses = page.locator('.monaco-editor .codelens-decoration');
    const unavailable = lenses.locator('a').filter({ hasText: 'InitLens: PyTorch probe unavailable in Restricted Mode' }).first();
    await unavailable.waitFor({ timeout: 90_000 });
    assert.equal(await lenses.filter({ hasText: 'in PyTorch' }).count(), 0, 'no lens offers to run the model');
    await workbench.screenshot('lens');

    await unavailable.click();
    const toast = await workbench.notification('Restricted Mode does not allow');
    const said = ((await toast.locator('.notification-list-item-message').textContent()) ?? '').trim();
    assert.equal(said, RESTRICTED_REASON);
    assert.doesNotMatch(said, /\n|Traceback|Error:/, 'one line, no stack trace');
    await workbench.screenshot('reason');
    assert.equal(existsSync(marker), false, 'the model file was never imported');
  });

  it('brings the PyTorch CodeLens once the folder is trusted', { timeout: 180_000 }, async () => {
    assert.ok(workbench);
    const page = workbench.page;
    await page.keyboard.press('Escape');
    await workbench.runCommand('Workspaces: Manage Workspace Trust');
    const trustButton = page
      .locator('.workspace-trust-editor .workspace-trust-buttons-row a.monaco-button, .workspace-trust-editor .workspace-trust-buttons-row .monaco-button')
      .filter({ hasText: /^Trust/ })
      .first();
    await trustButton.waitFor({ timeout: 30_000 });
    await trustButton.click();
    await page.locator('.tabs-container .tab').filter({ hasText: 'model.py' }).click();
    const probe = page.locator('.monaco-editor .codelens-decoration a').filter({ hasText: 'Probe this model in PyTorch' }).first();
    await probe.waitFor({ timeout: 60_000 });
    await page.locator('.monaco-editor .codelens-decoration a').filter({ hasText: 'Compare initializers in PyTorch' }).first().waitFor({ timeout: 10_000 });
    assert.equal(await page.locator('.monaco-editor .codelens-decoration').filter({ hasText: 'unavailable in Restricted Mode' }).count(), 0);
    await workbench.screenshot('trusted-lens');
    // Offering is not running: still nothing imported until a click.
    assert.equal(existsSync(marker), false);
  });

  it('runs the model in PyTorch on a click, into the panel', { timeout: 300_000 }, async () => {
    assert.ok(workbench);
    const page = workbench.page;
    await page.locator('.monaco-editor .codelens-decoration a').filter({ hasText: 'Probe this model in PyTorch' }).first().click();
    const panel = workbench.webview(0);
    await panel.locator('h1.title').filter({ hasText: 'PyTorch model Net' }).waitFor({ timeout: 60_000 });
    const row = panel.locator('table.summary tbody tr').first();
    await until('the PyTorch run to finish', async () => (await row.getAttribute('data-status')) === 'finished', 240_000);
    const cells = await row.locator('th, td').allTextContents();
    assert.match(cells[0], /PyTorch default: kaiming_uniform_/);
    assert.equal(cells[1].trim(), 'pytorch');
    // The subtitle gives the schedule, not the settings' network (the model is the user's own).
    const subtitle = (await panel.locator('.subtitle').textContent()) ?? '';
    assert.match(subtitle, /adam lr 0\.001, batch 32, 30 steps, statistics every 10 steps/);
    assert.doesNotMatch(subtitle, /784→/);
    // The layers built in a loop (a ModuleList) and their torch.relu calls, as the runner found them.
    const xNames = await panel.locator('[data-chart="gradNorm"] .chart-body').getAttribute('aria-label');
    assert.match(xNames ?? '', /4 points/);
    assert.equal(existsSync(marker), true, 'the click ran the model file');
    await workbench.screenshot('probed');
  });
});
