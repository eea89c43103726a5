// Launches Debian's Chromium through playwright-core (which downloads no browser of its own).
import { chromium } from 'playwright-core';
import type { Browser } from 'playwright-core';
import { existsSync } from 'node:fs';
import { assertRunning, track } from './harnessCleanup';

export const chromiumPath = process.env['INITLENS_CHROMIUM'] ?? '/usr/bin/chromium';

export const chromiumArgs = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--disable-dev-shm-usage',
];

export interface LaunchOptions {
  /** Show the window (needs a display); default headless. INITLENS_HEADED=1 also turns it on. */
  headed?: boolean;
}

export async function launchChromium(options: LaunchOptions = {}): Promise<Browser> {
  if (!existsSync(chromiumPath)) {
    throw new Error(`Chromium not found at ${chromiumPath}: run scripts/setupVscodeTest.sh (or set INITLENS_CHROMIUM)`);
  }
  assertRunning();
  const headed = options.headed ?? process.env['INITLENS_HEADED'] === '1';
  const browser = await chromium.launch({
    executablePath: chromiumPath,
    headless: !headed,
    args: chromiumArgs,
    // Signals are handled by harnessCleanup, which closes the browser before stopping
    // code-server; playwright-core's own handlers would exit the process midway.
    handleSIGINT: false,
    handleSIGTERM: false,
    handleSIGHUP: false,
  });
  let closing: Promise<void> | undefined;
  const untrack = track({
    stop(): Promise<void> {
      closing ??= Promise.race([browser.close(), new Promise<void>((r) => setTimeout(r, 5000).unref())]).finally(untrack);
      return closing;
    },
    killNow(): void {
      // Nothing synchronous to do: playwright-core kills the browser itself when this process exits.
    },
  });
  browser.once('disconnected', () => untrack());
  return browser;
}
