// Workspace Trust in real VS Code: a folder whose .vscode/settings.json points the data source at
// a file, picks the backend and the number of parallel probe processes opens in Restricted Mode.
// InitLens must ignore those three workspace values (declared restrictedConfigurations), say so
// in the sidebar, still honour the unrestricted ones, and run a comparison on the defaults.
// Trusting the folder then makes the workspace values apply.
import * as assert from 'node:assert/strict';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { FrameLocator } from 'playwright-core';
import { testResultsDir } from '../../scripts/harnessPaths';
import { openWorkbench, sleep, until } from './workbench';
import type { Workbench } from './workbench';

async function text(frame: FrameLocator, selector: string): Promise<string> {
  return (await frame.locator(selector).first().textContent()) ?? '';
}

describe('InitLens in an untrusted workspace (Restricted Mode)', () => {
  let workbench: Workbench | undefined;
  let folder = '';
  let missingData = '';
  before(async () => {
    folder = mkdtempSync(join(tmpdir(), 'initlens-untrusted-'));
    // A data file that does not exist: if the workspace value were used, Compare would fail.
    missingData = join(folder, 'data', 'planted.npz');
    mkdirSync(join(folder, '.vscode'));
    writeFileSync(join(folder, '.vscode', 'settings.json'), JSON.stringify({
      'initlens.dataSource': missingData,
      'initlens.backend': 'cpu',
      'initlens.parallelJobs': 1,
      // Not restricted: applies in Restricted Mode too.
      'initlens.steps': 30,
    }, null, 2));
    writeFileSync(join(folder, 'model.py'), 'from tensorflow import keras\nlayer = keras.layers.Dense(128, kernel_initializer="he_normal")\n');
    workbench = await openWorkbench({
      name: 'trust',
      folder,
      workspaceTrust: true,
      settings: { 'initlens.statsInterval': 10, 'initlens.hiddenLayers': '32' },
      viewport: { width: 1280, height: 900 },
    });
  });
  after(async () => {
    await workbench?.close();
    if (folder) rmSync(folder, { recursive: true, force: true });
  });

  it('ignores the restricted workspace settings, says so, and compares on the defaults', { timeout: 300_000 }, async () => {
    assert.ok(workbench);
    const page = workbench.page;
    // The workbench itself shows the folder is restricted.
    await page.locator('.statusbar-item').filter({ hasText: 'Restricted Mode' }).first().waitFor({ timeout: 60_000 });

    const icon = page.locator('.part.activitybar .action-item a.action-label[aria-label^="InitLens"]');
    await icon.waitFor({ timeout: 60_000 });
    await icon.click();
    await page.mouse.move(800, 450);
    const frame = workbench.webview(0);
    await frame.getByText('Probe settings', { exact: true }).waitFor({ timeout: 60_000 });

    const notice = frame.locator('.trust-notice:not([hidden])');
    await notice.waitFor({ timeout: 30_000 });
    const said = (await notice.textContent()) ?? '';
    assert.match(said, /This workspace is not trusted/);
    assert.match(said, /data source/);
    assert.match(said, /backend/);
    assert.match(said, /parallel jobs/);
    // Each ignored field says so and shows the value that applies (the default), not the planted one.
    for (const key of ['dataSource', 'backend', 'parallelJobs']) {
      assert.match(await text(frame, `.field[data-key="${key}"] .helper`), /Workspace value ignored \(untrusted\)/, key);
    }
    const backend = await frame.locator('#field-backend').evaluate((el) => (el as HTMLInputElement).value);
    assert.notEqual(backend, 'cpu', 'the workspace backend is not applied');
    // An unrestricted workspace setting still applies.
    assert.equal(await frame.locator('#field-steps').evaluate((el) => (el as HTMLInputElement).value), '30');
    await sleep(500);
    copyFileSync(await workbench.screenshot('restricted'), join(testResultsDir, 'sidebar-untrusted.png'));

    // Compare runs on the bundled digits: the planted (missing) data file is never opened.
    for (const id of ['zeros', 'random_normal', 'glorot_normal']) {
      await frame.locator(`.entry[data-id="${id}"] vscode-checkbox`).click();
    }
    await until('one initializer checked', async () => /Compare 1/.test(await text(frame, 'vscode-button.compare')), 20_000);
    await frame.locator('vscode-button.compare').click();
    const item = frame.locator('.history-item').first();
    await item.waitFor({ timeout: 240_000 });
    assert.match((await item.textContent()) ?? '', /784→32→10 relu, 30 steps/);
    assert.match((await item.textContent()) ?? '', /HeNormal \d+\.\d%/);
    const errors = await page.locator('.notifications-toasts .notification-toast').filter({ hasText: 'planted.npz' }).count();
    assert.equal(errors, 0, 'no error about the planted data file');
  });

  it('applies the workspace values once the folder is trusted', { timeout: 180_000 }, async () => {
    assert.ok(workbench);
    const page = workbench.page;
    const frame = workbench.webview(0);
    // The notice's link opens VS Code's own trust editor, where a person trusts the folder.
    await frame.locator('.trust-notice a.link').click();
    const trustButton = page.locator('.workspace-trust-editor .workspace-trust-buttons-row a.monaco-button, .workspace-trust-editor .workspace-trust-buttons-row .monaco-button')
      .filter({ hasText: /^Trust/ }).first();
    await trustButton.waitFor({ timeout: 30_000 });
    await trustButton.click();
    await page.locator('.statusbar-item').filter({ hasText: 'Restricted Mode' }).first().waitFor({ state: 'detached', timeout: 30_000 })
      .catch(() => page.locator('.statusbar-item').filter({ hasText: 'Restricted Mode' }).first().waitFor({ state: 'hidden', timeout: 5_000 }));
    await until('the notice to go', async () => (await frame.locator('.trust-notice:not([hidden])').count()) === 0, 30_000);
    assert.equal(await frame.locator('#field-backend').evaluate((el) => (el as HTMLInputElement).value), 'cpu');
    // Now the workspace's data source applies too.
    assert.match(await frame.locator('#field-dataSource').evaluate((el) => (el as HTMLInputElement).value), /planted\.npz$/);
    copyFileSync(await workbench.screenshot('trusted'), join(testResultsDir, 'sidebar-trusted.png'));
  });
});
