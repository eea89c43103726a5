/**
 * The Signal Propagation view's page (the built dist/webview/propagation.js) in Debian's Chromium,
 * fed the document the real `initlens propagate all` prints for the view's sizes. VS Code's side
 * of the channel is the only stand-in: acquireVsCodeApi records what the page posts. The full
 * path through code-server is test/ui/signalPropagation.test.ts; this one finds a page that hangs
 * or throws in seconds (uPlot's own log-axis splits looped on glorot_normal's q_l, 3e-31 … 0.19).
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { launchChromium } from '../../scripts/chromium';
import { propagationDocumentSchema } from '../../src/protocol/propagation';
import type { PropagationHostMessage } from '../../src/protocol/propagation';

const dist = join(__dirname, '..', '..', 'dist');
const seed = ['zeros', 'random_normal', 'glorot_normal', 'he_normal'];
let browser: Browser | undefined;
let page: Page;
const pageErrors: string[] = [];

function state(): PropagationHostMessage {
  // The view's own arguments (src/propagation/register.ts) for ReLU and the seed's four.
  const r = spawnSync(process.execPath, [join(dist, 'cli.js'), 'propagate', 'all', '--activation', 'relu', '--init', seed.join(','), '--depth', '100', '--width', '128', '--images', '128', '--data', 'mnist', '--json'], { encoding: 'utf8', timeout: 300_000 });
  assert.equal(r.status, 0, r.stderr);
  const doc = propagationDocumentSchema.parse(JSON.parse(r.stdout));
  return { type: 'state', activation: 'relu', initializers: seed, choices: [...seed, 'orthogonal'], doc, histograms: [], histogramSource: 'none', busy: null, error: null, notes: [] };
}

before(async () => {
  const dir = mkdtempSync(join(tmpdir(), 'initlens-page-'));
  const html = join(dir, 'index.html');
  writeFileSync(
    html,
    `<!DOCTYPE html><html><head><meta charset="UTF-8"><link rel="stylesheet" href="file://${dist}/webview/propagation.css"></head>
<body class="vscode-dark"><main id="app" aria-busy="true"></main>
<script>window.posted = []; window.acquireVsCodeApi = () => ({ postMessage: (m) => window.posted.push(m), getState: () => undefined, setState: () => undefined });</script>
<script src="file://${dist}/webview/propagation.js"></script></body></html>`,
  );
  browser = await launchChromium();
  page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
  page.on('pageerror', (e) => pageErrors.push(e.message));
  await page.goto(`file://${html}`);
});

after(async () => {
  await browser?.close();
});

const posted = (): Promise<{ type: string; report?: { charts: { chart: string; points: number }[] }; initializers?: string[] }[]> => page.evaluate(() => (window as unknown as { posted: never[] }).posted);

test('the page says ready, then draws the sweep, phase diagram and spectra of the real document', { timeout: 300_000 }, async () => {
  await page.waitForFunction(() => (window as unknown as { posted: { type: string }[] }).posted.some((m) => m.type === 'ready'));
  // As the host does in test mode: ask for the test report, then send the state.
  await page.evaluate(() => window.postMessage({ type: 'reportForTests' }, '*'));
  await page.evaluate((s) => window.postMessage(s, '*'), state());
  await page.waitForFunction(() => (window as unknown as { posted: { type: string }[] }).posted.some((m) => m.type === 'testReport'), undefined, { timeout: 60_000 });
  const rendered = (await posted()).filter((m) => m.type === 'testReport').at(-1)!;
  const points = Object.fromEntries(rendered.report!.charts.map((c) => [c.chart, c.points]));
  // 100 layers × (q, c) × (measured, theory) for three non-zero initializers, less underflowed layers.
  assert.ok(points.sweep > 600, `sweep ${points.sweep}`);
  assert.equal(points.phase, 31 * 13);
  assert.ok(points.jacobian >= 2, `jacobian ${points.jacobian}`);
  assert.equal(points.histograms, 0, 'no histograms were sent');
  // The q_l chart is a real picture, and nothing threw on the way (uPlot draws in a microtask).
  const colours = await page.locator('section[data-chart="sweep"] canvas').first().evaluate((canvas: HTMLCanvasElement) => {
    const data = canvas.getContext('2d')!.getImageData(0, 0, canvas.width, canvas.height).data;
    const seen = new Set<number>();
    for (let i = 0; i < data.length; i += 4) seen.add((data[i] << 16) | (data[i + 1] << 8) | data[i + 2]);
    return seen.size;
  });
  assert.ok(colours > 20, `${colours} colours on the q_l canvas`);
  assert.deepEqual(pageErrors, []);
});

test('the initializer picker posts the choice and keeps at least one checked', { timeout: 60_000 }, async () => {
  await page.locator('vscode-checkbox[data-initializer="orthogonal"]').click();
  await page.waitForFunction(() => (window as unknown as { posted: { type: string }[] }).posted.some((m) => m.type === 'initializers'));
  assert.deepEqual((await posted()).filter((m) => m.type === 'initializers').at(-1)!.initializers, [...seed, 'orthogonal']);
  // Uncheck everything: the last click is refused with a reason, and no empty choice is posted.
  for (const name of [...seed, 'orthogonal']) await page.locator(`vscode-checkbox[data-initializer="${name}"]`).click();
  assert.match((await page.locator('.picker-hint').textContent()) ?? '', /at least one/);
  assert.ok((await posted()).filter((m) => m.type === 'initializers').every((m) => m.initializers!.length > 0));
  assert.equal(await page.locator('vscode-checkbox[data-initializer="orthogonal"]').evaluate((b) => (b as HTMLElement & { checked: boolean }).checked), true);
  assert.deepEqual(pageErrors, []);
});
