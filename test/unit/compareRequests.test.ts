// What Compare Initializers runs: the networks, the seed defaults (data and backend from the
// settings), the command's non-interactive argument with one-line reasons, the panel's page.
import * as assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DEFAULT_CONFIG } from '../../src/probe/config';
import { SEED_INITIALIZERS, SEED_STEPS, buildRequests, networkConfig, networkTitle, readCompareArgs } from '../../src/compare/requests';
import { describeNetwork } from '../../src/view/network';
import { comparisonProgress } from '../../src/compare/progressCore';
import { contentSecurityPolicy, webviewHtml } from '../../src/host/webviewHtml';
import { syntheticDocument } from './panelFixtures';

const settings = { ...DEFAULT_CONFIG, data: '/data/mnist.npz', backend: 'cpu' as const, hidden: [64, 32], activation: 'tanh' as const, steps: 50 };

describe('compare requests', () => {
  it('seed network: DEFAULT_CONFIG with more steps, data and backend from the settings', () => {
    const c = networkConfig('seed', settings);
    assert.deepEqual(c, { ...DEFAULT_CONFIG, steps: SEED_STEPS, data: '/data/mnist.npz', backend: 'cpu' });
    assert.equal(networkTitle('seed', c), `Seed model: 784→128→10, relu, ${SEED_STEPS} steps`);
  });

  it('deep networks are 10 × 256; settings are taken as they are; steps override', () => {
    assert.equal(describeNetwork(networkConfig('deepRelu', settings)), '784→256×10→10, relu, 300 steps');
    assert.equal(networkConfig('deepTanh', settings).activation, 'tanh');
    assert.deepEqual(networkConfig('settings', settings).hidden, [64, 32]);
    assert.equal(networkConfig('seed', settings, 7).steps, 7);
  });

  it('builds one request per initializer with unique run ids', () => {
    const reqs = buildRequests([...SEED_INITIALIZERS], networkConfig('seed', settings));
    assert.deepEqual(reqs.map((r) => r.label), ['Zeros', 'RandomNormal', 'GlorotNormal', 'HeNormal']);
    assert.equal(new Set(reqs.map((r) => r.runId)).size, 4);
    assert.throws(() => buildRequests(['he_norml'], DEFAULT_CONFIG), /did you mean he_normal/);
  });

  it('reads the command argument, or says in one line what is wrong with it', () => {
    assert.deepEqual(readCompareArgs({ initializers: ['Zeros'], network: 'seed', steps: 10 }), { ok: true, value: { initializers: ['Zeros'], network: 'seed', steps: 10 } });
    const cases: [unknown, RegExp][] = [
      [{ initializers: [], network: 'seed' }, /^initializers: /],
      [{ initializers: ['Zeros'], network: 'huge' }, /^network: /],
      [{ initializers: ['Zeros'], network: 'seed', steps: 0 }, /^steps: /],
      [{ initializers: ['Zeros'], network: 'seed', extra: 1 }, /Unrecognized key/],
      [{ initializers: ['kaiming_normal_(w, mode="sideways")'], network: 'seed' }, /mode/],
    ];
    for (const [arg, reason] of cases) {
      const r = readCompareArgs(arg);
      assert.equal(r.ok, false, JSON.stringify(arg));
      if (!r.ok) {
        assert.match(r.error, reason);
        assert.doesNotMatch(r.error, /\n|at .*\.ts/);
      }
    }
  });
});

describe('progress of a comparison', () => {
  it('weights runs by their planned steps and names the runs in flight', () => {
    const { doc, feed } = syntheticDocument();
    let p = comparisonProgress(doc, () => 20);
    assert.equal(p.fraction, (20 + 0) / 40);
    assert.equal(p.message, '0 of 2 done · Zeros step 20/20 · HeNormal step 0/20');
    feed({ type: 'failed', runId: 'run2', reason: 'x' });
    p = comparisonProgress(doc, () => 20);
    assert.equal(p.done, 1);
    assert.equal(p.fraction, 1);
  });
});

describe('panel page', () => {
  it('has a strict CSP: nothing by default, the script by nonce, styles and fonts from the webview only', () => {
    const csp = contentSecurityPolicy('https://webview.test', 'abc');
    assert.match(csp, /^default-src 'none'; /);
    assert.match(csp, /script-src 'nonce-abc'$/);
    assert.match(csp, /style-src https:\/\/webview\.test;/);
    assert.doesNotMatch(csp, /unsafe-inline|unsafe-eval|\*/);
    const html = webviewHtml({ cspSource: 'https://webview.test', scriptUri: 'https://webview.test/panel.js', styleUri: 'https://webview.test/panel.css', title: 'T', nonce: 'abc' });
    assert.match(html, /<script nonce="abc" src="https:\/\/webview\.test\/panel\.js"><\/script>/);
    assert.doesNotMatch(html, /<style|style="/, 'no inline styles');
    assert.equal((html.match(/<script/g) ?? []).length, 1, 'one script, no inline code');
  });

  it('makes a new nonce per page', () => {
    const page = (): string => webviewHtml({ cspSource: 'x', scriptUri: 'x', styleUri: 'x', title: 'T' });
    const nonce = (html: string): string => /nonce="([^"]+)"/.exec(html)![1];
    assert.notEqual(nonce(page()), nonce(page()));
  });
});
