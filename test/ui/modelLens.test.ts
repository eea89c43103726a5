// A person opens Keras' convolutional MNIST classifier (Conv2D 32 3×3 relu, MaxPooling2D,
// Conv2D 64, MaxPooling2D, Flatten, Dropout, Dense 10 softmax), clicks "Probe this model" above
// it and watches the Compare panel probe that network as written: the header names its layers and
// shapes, the per-layer charts have the convolutions by name with measured numbers, and the run
// finishes. Dark theme; the screenshot feeds the README (media/screenshots/model-lens-dark.png).
import * as assert from 'node:assert/strict';
import { copyFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { FrameLocator } from 'playwright-core';
import { testResultsDir } from '../../scripts/harnessPaths';
import { frameWith, openWorkbench, until } from './workbench';
import type { Workbench } from './workbench';

const STEPS = 60;

/** The rows of a chart's "Values as a table": [layer, value per run…]. */
async function chartRows(panel: FrameLocator, chart: string): Promise<string[][]> {
  await panel.locator(`[data-chart="${chart}"] details.chart-table`).evaluate((d) => ((d as HTMLDetailsElement).open = true));
  return panel.locator(`[data-chart="${chart}"] table.values tbody tr`).evaluateAll((trs) =>
    trs.map((tr) => Array.from(tr.querySelectorAll<HTMLElement>('th, td')).map((c) => c.innerText.trim())),
  );
}

describe('CodeLens: Probe this model on a convolutional Keras model (Default Dark Modern)', () => {
  let workbench: Workbench | undefined;
  let panel: FrameLocator | undefined;
  before(async () => {
    workbench = await openWorkbench({ name: 'model-lens', settings: { 'initlens.steps': STEPS, 'initlens.statsInterval': 10 }, viewport: { width: 1440, height: 900 } });
  });
  after(async () => {
    await workbench?.close();
  });

  it('shows the lens with its step count above the model, and no layer left out', { timeout: 180_000 }, async () => {
    assert.ok(workbench);
    const { page } = workbench;
    await workbench.openFile('mnist_convnet.py');
    const lens = page.locator('.monaco-editor .codelens-decoration a').filter({ hasText: `Probe this model (${STEPS} steps)` }).first();
    await lens.waitFor({ timeout: 90_000 });
    const decoration = (await page.locator('.monaco-editor .codelens-decoration').first().innerText()).replace(/\s+/g, ' ');
    assert.match(decoration, /Compare initializers for this model \(60 steps\)/);
    assert.doesNotMatch(decoration, /can't probe|skipped/i);
    await workbench.screenshot('lens');
  });

  it('probes the network as written: conv layers by name with measured numbers, then the run finishes', { timeout: 420_000 }, async () => {
    assert.ok(workbench);
    const { page } = workbench;
    await page.locator('.monaco-editor .codelens-decoration a').filter({ hasText: `Probe this model (${STEPS} steps)` }).first().click();
    panel = await frameWith(workbench, 'h1.title');
    await panel.locator('h1.title').filter({ hasText: 'Probe model (mnist_convnet.py:8) as written' }).waitFor({ timeout: 60_000 });
    // The header says the network as the engine built it, once the run has started.
    const network = panel.locator('p.network');
    await until('the network line', async () => /conv2d/.test((await network.innerText().catch(() => '')) ?? ''), 120_000);
    const networkText = await network.innerText();
    console.log(`      ${networkText}`);
    assert.match(networkText, /^28×28×1 → conv2d 3×3×32 relu → max_pooling2d 13×13×32 → conv2d_1 3×3×64 relu → max_pooling2d_1 5×5×64 → flatten 1600 → dropout → dense 10 softmax · 34,826 parameters$/);

    // Per-layer charts: every measured layer by its Keras name, each with a number.
    let grad: string[][] = [];
    await until('gradient norms for conv2d, conv2d_1 and dense', async () => {
      grad = await chartRows(panel!, 'gradNorm');
      return grad.length === 3 && grad.every((r) => /\d/.test(r[1] ?? ''));
    }, 180_000);
    assert.deepEqual(grad.map((r) => r[0]), ['conv2d', 'conv2d_1', 'dense']);
    const act = await chartRows(panel, 'activationVariance');
    assert.deepEqual(act.map((r) => r[0]), ['input', 'conv2d', 'conv2d_1', 'dense']);
    assert.ok(act.slice(1).every((r) => /\d/.test(r[1] ?? '')), JSON.stringify(act));
    console.log(`      gradient norms: ${grad.map((r) => `${r[0]} ${r[1]}`).join(', ')}`);

    await panel.locator('table.summary tbody tr[data-status="finished"]').first().waitFor({ timeout: 360_000 });
    const row = await panel.locator('table.summary tbody tr').first().evaluate((tr) => Array.from(tr.querySelectorAll<HTMLElement>('th, td')).map((c) => c.innerText.trim()));
    console.log(`      finished: ${row.join(' | ')}`);
    assert.match(row[0], /model as written/);
    // A convolutional network trains: well above the 10% of guessing after 60 steps.
    assert.ok(parseFloat(row[2]) > 30, `held-out accuracy ${row[2]}`);
    for (const chart of ['gradNorm', 'activationVariance']) {
      await panel.locator(`[data-chart="${chart}"] details.chart-table`).evaluate((d) => ((d as HTMLDetailsElement).open = false));
    }
    await panel.locator('body').evaluate(() => window.scrollTo(0, 0));
    await page.waitForTimeout(800);
    await workbench.screenshot('finished');
    await panel.locator('[data-chart="activationVariance"]').scrollIntoViewIfNeeded();
    await page.waitForTimeout(500);
    await workbench.screenshot('finished-charts');
  });

  it('keeps the model and its probe side by side (the README picture)', { timeout: 180_000 }, async () => {
    assert.ok(workbench);
    const { page } = workbench;
    // The code with its lens on the left, the panel on the right, as a person would arrange them.
    await page.keyboard.press('Control+B');
    await workbench.runCommand('View: Move Editor into Right Group');
    panel = await frameWith(workbench, 'table.summary tbody tr[data-status="finished"]');
    await page.locator('.tabs-container .tab').filter({ hasText: 'mnist_convnet.py' }).first().click();
    await page.locator('.monaco-editor .codelens-decoration a').filter({ hasText: `Probe this model (${STEPS} steps)` }).first().waitFor({ timeout: 30_000 });
    await panel.locator('body').evaluate(() => window.scrollTo(0, 0));
    await page.mouse.move(5, 450);
    await page.waitForTimeout(800);
    copyFileSync(await workbench.screenshot('side-by-side'), join(testResultsDir, 'model-lens-dark.png'));
  });
});
