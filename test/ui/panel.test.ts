// A person runs "InitLens: Compare Initializers" from the palette, presses Enter twice (the
// seed's four initializers, the seed network) and watches the panel fill: charts with data
// within seconds, the Zeros flag with its note, then the finished table. Dark and light themes.
import * as assert from 'node:assert/strict';
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { FrameLocator } from 'playwright-core';
import type { ColorTheme } from '../../scripts/codeServer';
import { fixtureWorkspace } from '../../scripts/harnessPaths';
import { openWorkbench } from './workbench';
import type { Workbench } from './workbench';

const themes: { slug: string; theme: ColorTheme }[] = [
  { slug: 'dark', theme: 'Default Dark Modern' },
  { slug: 'light', theme: 'Default Light Modern' },
];

for (const { slug, theme } of themes) {
  describe(`Compare panel (${theme})`, () => {
    let workbench: Workbench | undefined;
    let panel: FrameLocator | undefined;
    before(async () => {
      workbench = await openWorkbench({ name: 'panel', theme, viewport: { width: 1440, height: 900 } });
    });
    after(async () => {
      await workbench?.close();
    });

    if (slug === 'dark') {
      it('accepts any written initializer in the picker, and explains a typo in one line', { timeout: 120_000 }, async () => {
        assert.ok(workbench);
        const page = workbench.page;
        const rows = page.locator('.quick-input-widget .quick-input-list .monaco-list-row');
        await workbench.runCommand('InitLens: Compare Initializers');
        await rows.filter({ hasText: 'HeNormal' }).first().waitFor({ timeout: 15_000 });
        await page.keyboard.type('he_norml');
        const typo = rows.filter({ hasText: 'did you mean he_normal' }).first();
        await typo.waitFor({ timeout: 10_000 });
        assert.match((await typo.textContent()) ?? '', /unknown initializer 'he_norml' — did you mean he_normal/);
        // The suggestions come as items of their own, ready to check.
        await rows.filter({ hasText: 'suggested · reads as he_normal' }).first().waitFor({ timeout: 10_000 });
        await workbench.screenshot('picker-typo');
        await page.keyboard.press('Control+A');
        await page.keyboard.type("kaiming_normal_(w, nonlinearity='relu')");
        await rows.filter({ hasText: 'reads as VarianceScaling' }).first().waitFor({ timeout: 10_000 });
        await workbench.screenshot('picker-custom');
        await page.keyboard.press('Escape');
      });
    }

    it('F1 → Compare Initializers → Enter → Enter shows charts with data within seconds', { timeout: 240_000 }, async () => {
      assert.ok(workbench);
      const page = workbench.page;
      await workbench.runCommand('InitLens: Compare Initializers');
      const quickInput = page.locator('.quick-input-widget');
      await quickInput.locator('.monaco-list-row').filter({ hasText: 'HeNormal' }).first().waitFor({ timeout: 15_000 });
      await workbench.screenshot(`${slug}-pick-initializers`);
      await page.keyboard.press('Enter');
      await quickInput.locator('.monaco-list-row').filter({ hasText: 'Seed model' }).first().waitFor({ timeout: 15_000 });
      await workbench.screenshot(`${slug}-pick-network`);
      const chosenAt = Date.now();
      await page.keyboard.press('Enter');
      // Hide the side bar: the panel gets the width a person would give it.
      await page.keyboard.press('Control+B');
      panel = workbench.webview(0);
      await panel.locator('h1.title').filter({ hasText: 'Seed model' }).waitFor({ timeout: 30_000 });
      await panel.locator('table.summary tbody tr').nth(3).waitFor({ timeout: 10_000 });
      // uPlot draws series as canvas paths; the readable proof of data is each chart's label.
      const labelled = (chart: string): Promise<string | null> => panel!.locator(`[data-chart="${chart}"] .chart-body`).getAttribute('aria-label');
      for (const chart of ['activationVariance', 'gradNorm', 'loss', 'accuracy']) {
        const deadline = Date.now() + 30_000;
        while (!/ [1-9]\d* points/.test((await labelled(chart)) ?? '')) {
          assert.ok(Date.now() < deadline, `${chart} never showed data: ${await labelled(chart)}`);
          await page.waitForTimeout(100);
        }
      }
      const seconds = (Date.now() - chosenAt) / 1000;
      console.log(`      charts had data ${seconds.toFixed(1)} s after the network was chosen`);
      assert.ok(seconds < 30, `charts took ${seconds} s`);
      await page.waitForTimeout(1500);
      await workbench.screenshot(slug);
    });

    it('shows the Zeros flag with its note', { timeout: 120_000 }, async () => {
      assert.ok(workbench && panel);
      const card = panel.locator('article.flag-card[data-kind="symmetric"]');
      await card.waitFor({ timeout: 60_000 });
      assert.match((await card.locator('.flag-run').textContent()) ?? '', /Zeros/);
      assert.match((await card.locator('aside.note').textContent()) ?? '', /Zero and constant initialization/);
      await card.scrollIntoViewIfNeeded();
      // By keyboard: the note opens from its focused summary with Enter.
      await card.locator('details summary').focus();
      await workbench.page.keyboard.press('Enter');
      await card.locator('details[open] h2').first().waitFor();
      await workbench.screenshot(`${slug}-flags`);
    });

    it('ends with every run finished and He/Glorot above 90% held-out accuracy', { timeout: 180_000 }, async () => {
      assert.ok(workbench && panel);
      await panel.locator('table.summary tbody tr[data-status="finished"]').nth(3).waitFor({ timeout: 150_000 });
      const rows = await panel.locator('table.summary tbody tr').evaluateAll((trs) =>
        trs.map((tr) => Array.from(tr.querySelectorAll<HTMLElement>('th, td')).map((c) => c.innerText.trim())),
      );
      console.log(`      held-out accuracy: ${rows.map((r) => `${r[0].split(/\s/)[0]} ${r[2]}`).join(', ')}`);
      for (const name of ['GlorotNormal', 'HeNormal']) {
        const row = rows.find((r) => r[0].startsWith(name));
        assert.ok(row, `${name} row`);
        assert.ok(parseFloat(row[2]) > 90, `${name}: ${row[2]}`);
      }
      await panel.locator('body').evaluate(() => window.scrollTo(0, 0));
      await workbench.screenshot(`${slug}-finished`);
      await panel.locator('[data-chart="heatmap"]').scrollIntoViewIfNeeded();
      await workbench.screenshot(`${slug}-finished-charts`);
    });

    it("saves one chart as a PNG from its own button", { timeout: 60_000 }, async () => {
      assert.ok(workbench && panel);
      await panel.locator('[data-chart="loss"] vscode-button').filter({ hasText: 'PNG' }).click();
      // VS Code's save dialog, prefilled with a name in the workspace: Enter accepts it.
      await workbench.page.locator('.quick-input-widget').waitFor({ state: 'visible', timeout: 15_000 });
      await workbench.page.keyboard.press('Enter');
      const toast = await workbench.notification(/chart saved to initlens-loss-.*\.png/);
      const name = /initlens-loss-[\d-]+\.png/.exec((await toast.textContent()) ?? '')?.[0];
      assert.ok(name);
      const file = join(fixtureWorkspace, name);
      try {
        assert.deepEqual([...readFileSync(file).subarray(0, 4)], [0x89, 0x50, 0x4e, 0x47]);
      } finally {
        rmSync(file, { force: true });
      }
    });

    it('comes back after a window reload with the results so far', { timeout: 120_000 }, async () => {
      assert.ok(workbench && panel);
      // Keyboard focus may still be in the save dialog's wake (a toast, the webview): give it
      // back to the workbench so F1 opens the palette.
      await workbench.page.keyboard.press('Escape');
      await workbench.page.locator('.tabs-container .tab').filter({ hasText: 'InitLens: Compare' }).click();
      await workbench.runCommand('Developer: Reload Window');
      await workbench.page.locator('.monaco-workbench .part.editor').waitFor({ timeout: 60_000 });
      const restored = workbench.webview(0);
      await restored.locator('h1.title').filter({ hasText: 'Seed model' }).waitFor({ timeout: 60_000 });
      await restored.locator('table.summary tbody tr[data-status="finished"]').nth(3).waitFor({ timeout: 30_000 });
      await restored.locator('article.flag-card[data-kind="symmetric"]').waitFor({ timeout: 10_000 });
      panel = restored;
      await workbench.screenshot(`${slug}-reloaded`);
    });

    if (slug === 'light') {
      it('asks whether to stop the runs when the panel is closed while they are in flight', { timeout: 120_000 }, async () => {
        assert.ok(workbench);
        const page = workbench.page;
        await workbench.runCommand('InitLens: Compare Initializers');
        const quickInput = page.locator('.quick-input-widget');
        await quickInput.locator('.monaco-list-row').filter({ hasText: 'HeNormal' }).first().waitFor({ timeout: 15_000 });
        await page.keyboard.press('Enter');
        await quickInput.locator('.monaco-list-row').filter({ hasText: 'Seed model' }).first().waitFor({ timeout: 15_000 });
        await page.keyboard.press('Enter');
        await workbench.notification('InitLens: comparing initializers', 30_000);
        await page.locator('.tabs-container .tab').filter({ hasText: 'InitLens: Compare' }).locator('.codicon-close').click();
        const ask = await workbench.notification('the comparison is still running. Stop it?');
        await workbench.screenshot(`${slug}-close-while-running`);
        await ask.locator('.monaco-button').filter({ hasText: /^Stop$/ }).click();
        await page
          .locator('.notifications-toasts .notification-toast')
          .filter({ hasText: 'InitLens: comparing initializers' })
          .waitFor({ state: 'hidden', timeout: 30_000 });
      });
    }

    if (slug === 'dark') {
      it('redraws in a high-contrast theme', { timeout: 120_000 }, async () => {
        assert.ok(workbench && panel);
        const page = workbench.page;
        // "Browse Color Themes in Marketplace" is listed first (and offline): pick the picker itself.
        await workbench.runCommand('Preferences: Color Theme', { run: false });
        await page.locator('.quick-input-widget .monaco-list-row').filter({ hasText: /^Preferences: Color Theme/ }).first().click();
        await page.keyboard.type('Dark High Contrast');
        await page.locator('.quick-input-widget .monaco-list-row').filter({ hasText: 'Dark High Contrast' }).first().waitFor();
        await page.keyboard.press('Enter');
        await panel.locator('body.vscode-high-contrast').waitFor({ timeout: 15_000 });
        // The charts read their colours again from the theme (they are canvases, not CSS).
        await panel.locator('body').evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));
        await panel.locator('body').evaluate(() => window.scrollTo(0, 0));
        await page.waitForTimeout(500);
        await workbench.screenshot('high-contrast');
      });

      it('Deep ReLU: per-layer charts over ten layers, queueing a second comparison, the Stop button', { timeout: 120_000 }, async () => {
        assert.ok(workbench);
        panel ??= workbench.webview(0);
        const page = workbench.page;
        const quickInput = page.locator('.quick-input-widget');
        // Focus may sit in the webview after earlier steps; give it back to the workbench, and
        // open the picker again if the palette swallowed the first attempt.
        const openPicker = async (): Promise<void> => {
          for (let attempt = 1; ; attempt++) {
            await page.keyboard.press('Escape');
            await page.locator('.tabs-container .tab').filter({ hasText: 'InitLens: Compare' }).click();
            try {
              await workbench!.runCommand('InitLens: Compare Initializers');
              await quickInput.locator('.monaco-list-row').filter({ hasText: 'HeNormal' }).first().waitFor({ timeout: 15_000 });
              return;
            } catch (err) {
              if (attempt === 3) throw err;
            }
          }
        };
        await openPicker();
        await page.keyboard.press('Enter');
        await quickInput.locator('.monaco-list-row').filter({ hasText: 'Deep ReLU' }).first().waitFor({ timeout: 15_000 });
        await page.keyboard.type('Deep ReLU');
        await page.keyboard.press('Enter');
        await panel.locator('h1.title').filter({ hasText: 'Deep ReLU' }).waitFor({ timeout: 30_000 });
        // RandomNormal(0.05) loses the signal within three layers of 256: flagged at step 0.
        await panel.locator('article.flag-card[data-kind="vanishing"]').filter({ hasText: 'RandomNormal' }).first().waitFor({ timeout: 60_000 });
        await panel.locator('body').evaluate(() => window.scrollTo(0, 0));
        await workbench.screenshot('deep-relu');
        // A second comparison while this one runs: the modal offers to queue it.
        await openPicker();
        await page.keyboard.press('Enter');
        await quickInput.locator('.monaco-list-row').filter({ hasText: 'Seed model' }).first().waitFor({ timeout: 15_000 });
        await page.keyboard.press('Enter');
        const dialog = page.locator('.monaco-dialog-box');
        await dialog.filter({ hasText: 'a comparison is already running' }).waitFor({ timeout: 15_000 });
        await workbench.screenshot('already-running');
        await dialog.locator('.monaco-button').filter({ hasText: 'Queue after it' }).click();
        await panel.locator('table.summary tbody tr').nth(7).waitFor({ timeout: 15_000 });
        await panel.locator('vscode-button').filter({ hasText: 'Stop' }).click();
        await panel.locator('table.summary tbody tr[data-status="cancelled"]').first().waitFor({ timeout: 30_000 });
        const statuses = await panel.locator('table.summary tbody tr').evaluateAll((trs) => trs.map((tr) => tr.getAttribute('data-status')));
        assert.ok(statuses.every((s) => s === 'cancelled' || s === 'finished'), statuses.join(', '));
      });
    }
  });
}
