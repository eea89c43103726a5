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

const themes: { slug: string; theme: ColorTheme }[] = [
  { slug: 'dark', theme: 'Default Dark Modern' },
  { slug: 'light', theme: 'Default Light Modern' },
];

for (const { slug, theme } of themes) {
  // Open (issue 16): in code-server the view's page kept a Chromium renderer at ~80% CPU and
  // 1.5 GB for over 8 minutes without reporting its first chart drawn; off until that is found.
  describe(`Signal Propagation view (${theme})`, { skip: 'the view page spins its renderer and never reports a chart drawn (issue 16)' }, () => {
    let workbench: Workbench | undefined;
    before(async () => {
      workbench = await openWorkbench({ name: 'signal', theme, viewport: { width: 1600, height: 1100 } });
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
      for (const chart of ['sweep', 'phase', 'jacobian', 'histograms']) {
        await until(
          `${chart} drawn`,
          async () => (await view.locator(`section[data-chart="${chart}"]`).getAttribute('data-ready')) === 'true',
          480_000,
        );
      }
      // Every note cites its source.
      const notes = (await view.locator('.note').allTextContents()).join(' ');
      for (const source of ['Poole et al. 2016', 'Schoenholz et al. 2017', 'Pennington, Schoenholz & Ganguli 2017', 'fastai']) assert.ok(notes.includes(source), `note cites ${source}`);
      // The phase table places the seed's initializers: He is critical for ReLU.
      const phaseRows = await view.locator('section[data-chart="phase"] table tr').allTextContents();
      assert.ok(phaseRows.some((r) => r.startsWith('he_normal') && r.includes('critical')), phaseRows.join(' | '));
      // Wait for the probes to finish so the histograms show the whole run.
      await until('idle', async () => !(await view.locator('.status vscode-progress-ring').count()), 300_000);
      const shot = await workbench.screenshot(`${slug}-signal-propagation`);
      mkdirSync(join(repoRoot, 'media', 'screenshots'), { recursive: true });
      copyFileSync(shot, join(repoRoot, 'media', 'screenshots', `signal-propagation-${slug}.png`));
    });
  });
}
