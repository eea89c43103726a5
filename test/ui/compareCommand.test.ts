// A person opens a Keras model, finds "InitLens: Compare Initializers" in the command palette
// and runs it; in both the dark and the light default theme.
import * as assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { ColorTheme } from '../../scripts/codeServer';
import { openWorkbench } from './workbench';
import type { Workbench } from './workbench';

const themes: { slug: string; theme: ColorTheme }[] = [
  { slug: 'dark', theme: 'Default Dark Modern' },
  { slug: 'light', theme: 'Default Light Modern' },
];

const commandTitle = 'InitLens: Compare Initializers';
// The command's first step: the initializer QuickPick (src/compare/pick.ts).
const firstStepTitle = 'InitLens: Compare Initializers (1/2)';

for (const { slug, theme } of themes) {
  describe(`Compare Initializers from the command palette (${theme})`, () => {
    let workbench: Workbench | undefined;
    before(async () => {
      workbench = await openWorkbench({ name: `compare-${slug}`, theme });
    });
    after(async () => {
      await workbench?.close();
    });

    it('is listed once a Python file is open, and runs', { timeout: 180_000 }, async () => {
      assert.ok(workbench);
      await workbench.openFile('seed_model.py');
      await workbench.screenshot('editor');
      await workbench.runCommand(commandTitle, { run: false });
      await workbench.screenshot('palette');
      await workbench.page.keyboard.press('Enter');
      const quickInput = workbench.page.locator('.quick-input-widget');
      await quickInput.locator('.quick-input-title').filter({ hasText: firstStepTitle }).waitFor({ timeout: 15_000 });
      // The seed's four come preselected, so Enter would run them at once.
      const checked = await quickInput.locator('.monaco-list-row[aria-checked="true"]').allTextContents();
      assert.equal(checked.length, 4, `preselected: ${checked.join(' | ')}`);
      await workbench.screenshot('quickpick');
      await workbench.page.keyboard.press('Escape');
    });
  });
}
