// A person opens a Keras model, rests the mouse on `he_normal` and reads the hover; then looks
// at the warning squiggles and the CodeLens above the models. In the dark and the light theme.
// Screenshots: test-results/hover-dark.png, test-results/hover-light.png (+ ui/hover-*-*.png).
import * as assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { ColorTheme } from '../../scripts/codeServer';
import { testResultsDir } from '../../scripts/harnessPaths';
import { openWorkbench } from './workbench';
import type { Workbench } from './workbench';

const themes: { slug: string; theme: ColorTheme }[] = [
  { slug: 'dark', theme: 'Default Dark Modern' },
  { slug: 'light', theme: 'Default Light Modern' },
];

for (const { slug, theme } of themes) {
  describe(`Hover on an initializer (${theme})`, () => {
    let workbench: Workbench | undefined;
    before(async () => {
      workbench = await openWorkbench({ name: `hover-${slug}`, theme, viewport: { width: 1280, height: 860 } });
    });
    after(async () => {
      await workbench?.close();
    });

    it('shows fans, std, suitability, the note and the probe links for he_normal', { timeout: 240_000 }, async () => {
      assert.ok(workbench);
      const { page } = workbench;
      await workbench.openFile('keras_models.py');
      const line = page.locator('.monaco-editor .view-line').filter({ hasText: "kernel_initializer='he_normal'" }).first();
      await line.waitFor({ timeout: 30_000 });
      // The CodeLens and the warnings arrive once InitLens has activated and scanned the file.
      await page.locator('.monaco-editor .codelens-decoration').filter({ hasText: 'Probe this model' }).first().waitFor({ timeout: 60_000 });
      const word = line.locator('span span').filter({ hasText: "'he_normal'" }).first();
      const hover = page.locator('.monaco-hover:not(.hidden)').filter({ hasText: 'InitLens' });
      // Rest the mouse on the word; nudge it if the first move lands before the editor listens.
      for (let attempt = 0; attempt < 5; attempt++) {
        const box = await word.boundingBox();
        assert.ok(box, 'the he_normal token is on screen');
        await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2 + (attempt % 2));
        if (await hover.first().waitFor({ timeout: 6_000 }).then(() => true, () => false)) break;
        await page.mouse.move(10, 10);
      }
      await hover.first().waitFor({ timeout: 10_000 });
      const text = (await hover.first().innerText()).replace(/\s+/g, ' ');
      assert.match(text, /fan_in 784 · fan_out 128 → std 0\.0505/);
      assert.match(text, /suits this layer's relu/);
      assert.match(text, /He \(Kaiming\) initialization/);
      assert.match(text, /Probe with this initializer/);
      assert.match(text, /Compare with alternatives/);
      // Links are real links the hover makes clickable (trusted for InitLens' commands only).
      const links = await hover.first().locator('a').allInnerTexts();
      assert.ok(links.some((l) => /Probe with this initializer/.test(l)), `links: ${links.join(' | ')}`);
      await page.screenshot({ path: join(testResultsDir, `hover-${slug}.png`), animations: 'disabled' });
      await workbench.screenshot('hover');
    });

    it('underlines the wrong initializers and explains them on hover', { timeout: 120_000 }, async () => {
      assert.ok(workbench);
      const { page } = workbench;
      await page.mouse.move(10, 10);
      await page.keyboard.press('Escape');
      // Line 13's he_uniform with tanh carries a warning squiggle.
      const squiggle = page.locator('.monaco-editor .squiggly-warning').first();
      await squiggle.waitFor({ timeout: 30_000 });
      const box = await squiggle.boundingBox();
      assert.ok(box);
      await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
      const marker = page.locator('.monaco-hover:not(.hidden)').filter({ hasText: 'He\'s variance 2/fan_in' });
      await marker.first().waitFor({ timeout: 15_000 });
      const text = (await marker.first().innerText()).replace(/\s+/g, ' ');
      assert.match(text, /InitLens\s*\(?heWithSaturating/);
      await workbench.screenshot('warning');
    });

    it('offers the quick fix in the file’s own style', { timeout: 120_000 }, async () => {
      assert.ok(workbench);
      const { page } = workbench;
      await page.mouse.move(10, 10);
      await page.keyboard.press('Escape');
      // Put the cursor on he_uniform (line 13) and open the quick fixes, as a keyboard user would.
      const word = page.locator('.monaco-editor .view-line').filter({ hasText: "kernel_initializer='he_uniform'" }).first().locator('span span').filter({ hasText: "'he_uniform'" }).first();
      await word.click();
      await page.keyboard.press('Control+.');
      const fix = page.locator('.action-widget').filter({ hasText: "Use 'glorot_normal' (recommended for tanh)" });
      await fix.first().waitFor({ timeout: 15_000 });
      await workbench.screenshot('quickfix');
      await page.keyboard.press('Escape');
    });
  });
}
