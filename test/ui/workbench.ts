// A real VS Code workbench (code-server + Chromium) with InitLens loaded as the extension under
// development, and the moves a person makes in it: open a file, run a command from the palette,
// read a notification, look at the screen. Shared by every UI suite.
import type { Browser, FrameLocator, Locator, Page } from 'playwright-core';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { launchChromium } from '../../scripts/chromium';
import { startCodeServer } from '../../scripts/codeServer';
import type { CodeServer, ColorTheme } from '../../scripts/codeServer';
import { fixtureWorkspace, repoRoot, testResultsDir } from '../../scripts/harnessPaths';

export const uiResultsDir = join(testResultsDir, 'ui');

export interface WorkbenchOptions {
  /** Names this session's screenshots and logs in test-results/ui. */
  name: string;
  theme?: ColorTheme;
  settings?: Record<string, unknown>;
  folder?: string;
  viewport?: { width: number; height: number };
  /** Workspace Trust on: the folder opens in Restricted Mode (see startCodeServer). */
  workspaceTrust?: boolean;
}

export interface Workbench {
  readonly page: Page;
  readonly server: CodeServer;
  /** Opens a workspace file through Quick Open (Ctrl+P) and waits for its editor tab. */
  openFile(fileName: string): Promise<void>;
  /**
   * Opens the command palette (F1) and types `title` until the command is listed (commands of
   * lazily activated extensions appear late), then runs it unless `run` is false.
   */
  runCommand(title: string, options?: { run?: boolean; timeoutMs?: number }): Promise<void>;
  /** The notification toast containing `text`, once visible. */
  notification(text: string | RegExp, timeoutMs?: number): Promise<Locator>;
  /**
   * The content of a webview (panel or sidebar view): each is an iframe.webview holding the
   * extension's page in iframe#active-frame. `index` picks among several open webviews.
   */
  webview(index?: number): FrameLocator;
  /** Saves test-results/ui/<name>-<label>.png and returns its path. */
  screenshot(label: string): Promise<string>;
  /** Takes a last screenshot, then ends Chromium and code-server. */
  close(): Promise<void>;
}

/** The class the workbench root carries while a theme is applied. */
const themeClasses: Record<ColorTheme, string> = {
  'Default Dark Modern': 'vscode-theme-defaults-themes-dark_modern-json',
  'Default Light Modern': 'vscode-theme-defaults-themes-light_modern-json',
};

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/**
 * Polls `check` every 250 ms until it holds, or fails naming `what`. A check that throws (a
 * webview frame replaced mid-check) counts as not yet; the last error is in the failure.
 */
export async function until(what: string, check: () => boolean | Promise<boolean>, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let lastError = '';
  while (Date.now() < deadline) {
    const held = await Promise.resolve()
      .then(check)
      .catch((error: unknown) => {
        lastError = String(error).split('\n')[0];
        return false;
      });
    if (held) return;
    await sleep(250);
  }
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${lastError ? ` (last error: ${lastError})` : ''}`);
}

/** The webview frame whose page holds `selector` (the sidebar, the panel and other views are all webviews). */
export async function frameWith(workbench: Workbench, selector: string, timeoutMs = 90_000): Promise<FrameLocator> {
  let found: FrameLocator | undefined;
  await until(
    `a webview with ${selector}`,
    async () => {
      const n = await workbench.page.locator('iframe.webview').count();
      for (let i = 0; i < n; i++) {
        const frame = workbench.webview(i);
        if ((await frame.locator(selector).count()) > 0) {
          found = frame;
          return true;
        }
      }
      return false;
    },
    timeoutMs,
  );
  return found!;
}

export async function openWorkbench(options: WorkbenchOptions): Promise<Workbench> {
  mkdirSync(uiResultsDir, { recursive: true });
  const server = await startCodeServer({
    settings: { 'workbench.colorTheme': options.theme ?? 'Default Dark Modern', ...options.settings },
    logFile: join(uiResultsDir, `${options.name}-code-server.log`),
    workspaceTrust: options.workspaceTrust ?? false,
  });
  let browser: Browser | undefined;
  try {
    browser = await launchChromium();
    const context = await browser.newContext({ viewport: options.viewport ?? { width: 1280, height: 800 } });
    const page = await context.newPage();
    await page.goto(server.workbenchUrl({ folder: options.folder ?? fixtureWorkspace, extensionDevelopmentPath: repoRoot }));
    // Ready for a person: the workbench is laid out, wears the theme asked for, and the
    // explorer shows the folder.
    await page.locator('.monaco-workbench .part.editor').waitFor({ timeout: 60_000 });
    const themeClass = themeClasses[options.theme ?? 'Default Dark Modern'];
    await page.locator(`.monaco-workbench.${themeClass}`).waitFor({ timeout: 30_000 }).catch(async () => {
      const actual = await page.locator('.monaco-workbench').getAttribute('class');
      throw new Error(`the workbench did not take the theme ${options.theme ?? ''}: ${actual ?? '?'}`);
    });
    await page.locator('.explorer-folders-view .monaco-list-row').first().waitFor({ timeout: 60_000 });
    return makeWorkbench(page, server, browser, options.name);
  } catch (error) {
    await browser?.close().catch(() => undefined);
    await server.stop();
    throw error;
  }
}

function makeWorkbench(page: Page, server: CodeServer, browser: Browser, name: string): Workbench {
  const quickInput = page.locator('.quick-input-widget');
  const quickInputRow = (text: string): Locator =>
    quickInput.locator('.quick-input-list .monaco-list-row').filter({ hasText: text });

  const workbench: Workbench = {
    page,
    server,
    async openFile(fileName) {
      await page.keyboard.press('Control+P');
      await quickInput.waitFor({ state: 'visible' });
      await page.keyboard.type(fileName);
      await quickInputRow(fileName).first().waitFor({ timeout: 15_000 });
      await page.keyboard.press('Enter');
      await page.locator('.tabs-container .tab').filter({ hasText: fileName }).waitFor({ timeout: 15_000 });
    },
    async runCommand(title, { run = true, timeoutMs = 60_000 } = {}) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        await page.keyboard.press('F1');
        // F1 can be lost while a webview holds the focus: give it back to the workbench (the
        // title bar does nothing on a click) and press it again.
        const opened = await quickInput.waitFor({ state: 'visible', timeout: 5_000 }).then(() => true, () => false);
        if (!opened) {
          if (Date.now() > deadline) throw new Error('F1 never opened the command palette');
          await page.keyboard.press('Escape');
          await page.locator('.part.titlebar').click({ position: { x: 10, y: 10 } }).catch(() => undefined);
          continue;
        }
        await page.keyboard.type(title);
        const row = quickInputRow(title).first();
        const listed = await row.waitFor({ timeout: 3_000 }).then(() => true, () => false);
        if (listed) {
          if (run) await page.keyboard.press('Enter');
          return;
        }
        await page.keyboard.press('Escape');
        if (Date.now() > deadline) throw new Error(`"${title}" never appeared in the command palette`);
        await sleep(1_000);
      }
    },
    async notification(text, timeoutMs = 15_000) {
      const toast = page.locator('.notifications-toasts .notification-toast').filter({ hasText: text }).first();
      await toast.waitFor({ state: 'visible', timeout: timeoutMs });
      return toast;
    },
    webview(index = 0) {
      return page.locator('iframe.webview').nth(index).contentFrame().frameLocator('#active-frame');
    },
    async screenshot(label) {
      const path = join(uiResultsDir, `${name}-${label}.png`);
      // Finite animations (a toast sliding in) are fast-forwarded to their end state.
      await page.screenshot({ path, animations: 'disabled' });
      return path;
    },
    async close() {
      await workbench.screenshot('last').catch(() => undefined);
      await browser.close().catch(() => undefined);
      await server.stop();
    },
  };
  return workbench;
}
