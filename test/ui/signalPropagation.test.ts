// A person runs "InitLens: Signal Propagation" from the palette and sees the four pictures fill:
// the depth sweep, the phase diagram, the Jacobian spectra, and the histograms over training of
// the short probes the view starts itself. Dark and light themes; screenshots for the README.
import * as assert from 'node:assert/strict';
import { copyFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { FrameLocator } from 'playwright-core';
import type { ColorTheme } from '../../scripts/codeServer';
import { repoRoot } from '../../scripts/harnessPaths';
import { openWorkbench, until } from './workbench';
import type { Workbench } from './workbench';

/**
 * The least each chart draws for ReLU and the seed's four initializers: the sweep has 100 layers
 * of q_l and c_l for the three non-zero initializers (≥ 3 × 100 measured values even where the
 * vanishing ones underflow to gaps); the phase diagram a 31 × 13 grid of χ₁; the spectra at least
 * one bin for each of the two initializers whose Jacobian is not 0 (random_normal underflows);
 * the histograms, once the probes finished, at least one bin per run at each of the 21 recorded
 * steps (0, 5, …, 100).
 */
const minimumPoints: Record<string, number> = { sweep: 300, phase: 31 * 13, jacobian: 2, histograms: 4 * 21 };

/** Distinct colours on a canvas (in the page): a blank or cleared canvas has one. */
function distinctColours(canvas: HTMLCanvasElement): number {
  const ctx = canvas.getContext('2d');
  if (!ctx || canvas.width === 0 || canvas.height === 0) return 0;
  const data = ctx.getImageData(0, 0, canvas.width, canvas.height).data;
  const seen = new Set<number>();
  for (let i = 0; i < data.length; i += 4) seen.add((data[i] << 16) | (data[i + 1] << 8) | data[i + 2]);
  return seen.size;
}

const themes: { slug: string; theme: ColorTheme }[] = [
  { slug: 'dark', theme: 'Default Dark Modern' },
  { slug: 'light', theme: 'Default Light Modern' },
];

for (const { slug, theme } of themes) {
  describe(`Signal Propagation view (${theme})`, () => {
    let workbench: Workbench | undefined;
    let signalView: FrameLocator | undefined;
    before(async () => {
      workbench = await openWorkbench({ name: 'signal', theme, viewport: { width: 1600, height: 1500 } });
    });
    after(async () => {
      await workbench?.close();
    });

    it('opens from the palette and draws all four pictures', { timeout: 540_000 }, async () => {
      assert.ok(workbench);
      const page = workbench.page;
      await workbench.runCommand('InitLens: Signal Propagation');
      await page.keyboard.press('Control+B');
      // Other webviews (the sidebar) may be open too: take the one that holds the view's heading.
      let found: FrameLocator | undefined;
      await until(
        'the Signal Propagation view',
        async () => {
          const open = await page.locator('iframe.webview').count();
          for (let i = 0; i < open; i++) {
            const candidate = workbench!.webview(i);
            if ((await candidate.locator('h1').filter({ hasText: 'Signal Propagation' }).count()) > 0) {
              found = candidate;
              return true;
            }
          }
          return false;
        },
        60_000,
      );
      const view = found as FrameLocator | undefined;
      assert.ok(view);
      // Drawn with data: the page says how many points (or grid cells) each chart drew, and the
      // chart's canvas really holds that many colours — not a blank or single-colour box.
      for (const chart of ['sweep', 'phase', 'jacobian', 'histograms']) {
        await until(`${chart} drawn`, async () => (await view.locator(`section[data-chart="${chart}"]`).getAttribute('data-ready')) === 'true', 480_000);
      }
      // Wait for the probes to finish so the histograms show the whole run.
      await until('idle', async () => !(await view.locator('.status vscode-progress-ring').count()), 300_000);
      for (const chart of ['sweep', 'phase', 'jacobian', 'histograms']) {
        const section = view.locator(`section[data-chart="${chart}"]`);
        const points = Number(await section.getAttribute('data-points'));
        assert.ok(points >= minimumPoints[chart], `${chart}: ${points} points drawn, expected at least ${minimumPoints[chart]}`);
        const colours = await section.locator('canvas').first().evaluate(distinctColours);
        assert.ok(colours >= 8, `${chart}: its canvas holds ${colours} distinct colours`);
      }
      // Every note cites its source.
      const notes = (await view.locator('.note').allTextContents()).join(' ');
      for (const source of ['Poole et al. 2016', 'Schoenholz et al. 2017', 'Pennington, Schoenholz & Ganguli 2017', 'fastai']) assert.ok(notes.includes(source), `note cites ${source}`);
      // The phase table places the seed's initializers: He is critical for ReLU.
      const phaseRows = await view.locator('section[data-chart="phase"] table tr').allTextContents();
      assert.ok(phaseRows.some((r) => r.startsWith('he_normal') && r.includes('critical')), phaseRows.join(' | '));
      const shot = await workbench.screenshot(`${slug}-signal-propagation`);
      mkdirSync(join(repoRoot, 'media', 'screenshots'), { recursive: true });
      copyFileSync(shot, join(repoRoot, 'media', 'screenshots', `signal-propagation-${slug}.png`));
      signalView = view;
    });

    // The pickers once, in the dark theme: a person adds Orthogonal and switches to tanh.
    if (slug === 'dark') {
      it('redraws for the initializers and activation picked in the view', { timeout: 540_000 }, async () => {
        const view = signalView;
        assert.ok(view, 'the view from the first test');
        const sweepPoints = Number(await view.locator('section[data-chart="sweep"]').getAttribute('data-points'));
        await view.locator('vscode-checkbox[data-initializer="orthogonal"]').click();
        await view.locator('vscode-button[data-activation="tanh"]').click();
        const phaseRows = view.locator('section[data-chart="phase"] table tr');
        // tanh at σ_b² = 0: σ_w² = 1 is the critical point, where Orthogonal and Glorot sit.
        await until('tanh with Orthogonal in the phase table', async () => (await phaseRows.allTextContents()).some((r) => r.startsWith('orthogonal') && r.includes('critical')), 300_000);
        await until('the status line names tanh and the five initializers', async () => ((await view.locator('.status').textContent()) ?? '').includes('tanh: zeros, random_normal, glorot_normal, he_normal, orthogonal'), 300_000);
        const sweep = view.locator('section[data-chart="sweep"]');
        await until('the sweep redrawn with five initializers', async () => Number(await sweep.getAttribute('data-points')) > sweepPoints, 300_000);
        const legend = (await sweep.locator('.legend').allTextContents()).join(' ');
        assert.ok(legend.includes('orthogonal'), legend);
        assert.equal(await view.locator('vscode-button[data-activation="tanh"]').getAttribute('secondary'), null, 'tanh shows as chosen');
        await until('histograms of the five redrawn', async () => (await view.locator('section[data-chart="histograms"] canvas').count()) === 5, 300_000);
        assert.ok((await view.locator('section[data-chart="jacobian"] canvas').first().evaluate(distinctColours)) >= 8);
        await until('idle', async () => !(await view.locator('.status vscode-progress-ring').count()), 300_000);
        const shot = await workbench!.screenshot(`${slug}-signal-propagation-tanh`);
        copyFileSync(shot, join(repoRoot, 'media', 'screenshots', `signal-propagation-tanh-${slug}.png`));
      });

      // The trainability map (64 cells of 100 SGD steps): a person starts it from its button,
      // watches the cells come in (the view's status and VS Code's progress notification), stops
      // it with Cancel, and keeps the map of the cells already trained.
      it('runs the trainability map from its button and keeps the cells done when cancelled', { timeout: 540_000 }, async () => {
        const view = signalView;
        assert.ok(view, 'the view from the first test');
        const page = workbench!.page;
        const phase = view.locator('section[data-chart="phase"]');
        assert.equal(await phase.locator('canvas').count(), 1, 'the phase diagram alone before the map');
        await view.locator('vscode-button[data-action="map"]').click();
        let done = 0;
        await until(
          'trainability cells coming in',
          async () => {
            const m = /trainability map: (\d+) of 64 cells/.exec((await view.locator('.status').textContent()) ?? '');
            done = m ? Number(m[1]) : 0;
            return done >= 2;
          },
          300_000,
        );
        assert.ok((await page.locator('.notification-toast').filter({ hasText: 'trainability map' }).count()) > 0, 'a progress notification names the map');
        await view.locator('vscode-button[data-action="cancel"]').click();
        await until('the map drawn beside the phase diagram', async () => (await phase.locator('canvas').count()) === 2, 120_000);
        await until('idle after the cancel', async () => !(await view.locator('.status vscode-progress-ring').count()), 120_000);
        assert.ok((await phase.locator('canvas').nth(1).evaluate(distinctColours)) >= 8, 'the map holds the cells trained before Cancel');
        assert.match((await view.locator('.status').textContent()) ?? '', /^tanh: /, 'the status line is back to the view\'s choice');
        await phase.scrollIntoViewIfNeeded();
        await workbench!.screenshot(`${slug}-signal-propagation-map-cancelled`);
      });
    }
  });
}
