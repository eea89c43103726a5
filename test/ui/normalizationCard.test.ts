// A person opens a Dense → BatchNormalization stack whose kernels start at RandomNormal(stddev=10)
// (test/fixtures/models/keras_bn_scale.py, `huge`), clicks "Probe this model" and reads the
// panel's verdicts: the Dense layers before each BatchNormalization are not called exploding —
// a card says the normalization divides their scale away, with the measured pre-normalization
// variance and the note beside it. Dark theme; the screenshot feeds the README
// (media/screenshots/panel-normalization-dark.png).
import * as assert from 'node:assert/strict';
import { copyFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { repoRoot, testResultsDir } from '../../scripts/harnessPaths';
import { frameWith, openWorkbench } from './workbench';
import type { Workbench } from './workbench';

const STEPS = 30;

describe('Compare panel: what normalization changes, said on a card (Default Dark Modern)', () => {
  let workbench: Workbench | undefined;
  before(async () => {
    workbench = await openWorkbench({
      name: 'normalization-card',
      folder: join(repoRoot, 'test', 'fixtures', 'models'),
      settings: { 'initlens.steps': STEPS, 'initlens.statsInterval': 10 },
      viewport: { width: 1440, height: 900 },
    });
  });
  after(async () => {
    await workbench?.close();
  });

  it('probes the stack as written and shows a "normalized" card instead of an exploding flag', { timeout: 420_000 }, async () => {
    assert.ok(workbench);
    const { page } = workbench;
    await workbench.openFile('keras_bn_scale.py');
    // `huge` is the file's first model: its lens comes first.
    const lens = page.locator('.monaco-editor .codelens-decoration a').filter({ hasText: `Probe this model (${STEPS} steps)` }).first();
    await lens.waitFor({ timeout: 90_000 });
    await lens.click();
    const panel = await frameWith(workbench, 'h1.title');
    await panel.locator('table.summary tbody tr[data-status="finished"]').first().waitFor({ timeout: 300_000 });
    const card = panel.locator('article.role-card[data-kind="role-normalized"]');
    await card.waitFor({ timeout: 30_000 });
    const text = (await card.innerText()).replace(/\s+/g, ' ');
    console.log(`      ${text.slice(0, 400)}`);
    // Both Dense layers before a BatchNormalization, each with its evidence; the note beside them.
    assert.match(text, /normalized/);
    assert.match(text, /dense_1, step 0:/);
    assert.match(text, /dense_2, step 0:/);
    assert.equal(await card.locator('aside.note[data-note="normalization"]').count(), 1);
    assert.equal(await panel.locator('article.flag-card[data-kind="exploding"]').count(), 0);
    await card.scrollIntoViewIfNeeded();
    await page.waitForTimeout(600);
    copyFileSync(await workbench.screenshot('card'), join(testResultsDir, 'panel-normalization-dark.png'));
  });
});
