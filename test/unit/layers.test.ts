/**
 * The layering rules (.dependency-cruiser.cjs) catch what they claim to: a small tree shaped
 * like the project's, written to a temporary folder, with one planted violation per rule, is
 * checked by the real dependency-cruiser with the real rules. The same tree's allowed edges
 * raise nothing, so a rule that forbids everything would fail here too.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

const repo = join(__dirname, '..', '..');
const config = join(repo, '.dependency-cruiser.cjs');
const depcruise = join(repo, 'node_modules', 'dependency-cruiser', 'bin', 'dependency-cruise.mjs');

interface Violation {
  from: string;
  to: string;
  rule: { name: string };
}

/** Writes `files` into a fresh folder and returns the violations depcruise finds there. */
function cruise(files: Record<string, string>): Violation[] {
  const dir = mkdtempSync(join(tmpdir(), 'initlens-layers-'));
  try {
    for (const [path, text] of Object.entries(files)) {
      mkdirSync(dirname(join(dir, path)), { recursive: true });
      writeFileSync(join(dir, path), text);
    }
    const roots = [...new Set(Object.keys(files).map((p) => p.split('/')[0]))];
    const r = spawnSync(process.execPath, [depcruise, ...roots, '--config', config, '--output-type', 'json'], { cwd: dir, encoding: 'utf8', timeout: 120_000 });
    assert.ok(r.stdout, `depcruise printed nothing: ${r.stderr}`);
    const result = JSON.parse(r.stdout) as { summary: { violations: Violation[] } };
    return result.summary.violations;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

// The allowed shape: webview → view → protocol; features → host → engine → protocol.
const clean: Record<string, string> = {
  'src/protocol/vocabulary.ts': 'export const ACTIVATIONS = ["relu"] as const;\n',
  'src/protocol/index.ts': "export * from './vocabulary';\n",
  'src/probe/config.ts': "import { ACTIVATIONS } from '../protocol';\nexport const first = ACTIVATIONS[0];\n",
  'src/probe/initializers/parse.ts': "import { first } from '../config';\nexport const parse = (s: string) => s + first;\n",
  'src/view/format.ts': "import { ACTIVATIONS } from '../protocol/vocabulary';\nimport { first } from '../probe/config';\nexport const f = () => ACTIVATIONS.join() + first;\n",
  'src/host/session.ts': "import { parse } from '../probe/initializers/parse';\nexport const s = parse('he');\n",
  'src/compare/register.ts': "import * as vscode from 'vscode';\nimport { s } from '../host/session';\nimport { f } from '../view/format';\nexport const r = [vscode, s, f];\n",
  'src/sidebar/view.ts': "import { r } from '../compare/register';\nexport const v = r;\n",
  'src/editor/hover.ts': "import { s } from '../host/session';\nimport { f } from '../view/format';\nexport const h = s + f();\n",
  'webview/panel.ts': "import { f } from '../src/view/format';\nimport { ACTIVATIONS } from '../src/protocol';\nimport { a } from './panel/app';\nconsole.log(f(), ACTIVATIONS, a);\n",
  'webview/shared/dom.ts': 'export const h = 1;\n',
  'webview/panel/app.ts': "import { h } from '../shared/dom';\nimport { c } from './chart';\nexport const a = h + c;\n",
  'webview/panel/chart.ts': 'export const c = 2;\n',
  'webview/sidebar/status.ts': "import { h } from '../shared/dom';\nexport const st = h;\n",
};

test('the allowed edges of the layering raise no violation', () => {
  assert.deepEqual(cruise(clean), []);
});

test('each layering rule fails on a planted violation', () => {
  const planted: Record<string, string> = {
    ...clean,
    // the protocol reaching up into the engine, and zod in the vocabulary
    'src/protocol/index.ts': "export * from './vocabulary';\nimport { first } from '../probe/config';\nexport const x = first;\n",
    'src/protocol/vocabulary.ts': "import { z } from 'zod';\nexport const ACTIVATIONS = ['relu'] as const;\nexport const s = z;\n",
    // the engine importing VS Code and a feature
    'src/probe/config.ts': "import * as vscode from 'vscode';\nimport { h } from '../editor/hover';\nexport const first = 'relu';\nexport const y = [vscode, h];\n",
    // node in the view layer
    'src/view/format.ts': "import { readFileSync } from 'node:fs';\nexport const f = () => String(readFileSync);\n",
    // the view describing through the parser, which a webview then carries
    'src/view/describe.ts': "import { parse } from '../probe/initializers/parse';\nexport const d = parse('x');\n",
    'webview/sidebar.ts': "import { d } from '../src/view/describe';\nconsole.log(d);\n",
    // a webview importing a host module and node
    'webview/panel.ts': "import { r } from '../src/compare/register';\nimport { join } from 'node:path';\nconsole.log(r, join);\n",
    // one view borrowing another's module instead of a shared one
    'webview/sidebar/status.ts': "import { c } from '../panel/chart';\nexport const st = c;\n",
    // the host reaching into a feature; the editor into the panels; compare into the sidebar
    'src/host/session.ts': "import { r } from '../compare/register';\nexport const s = String(r);\n",
    'src/editor/hover.ts': "import { v } from '../sidebar/view';\nexport const h = v;\n",
    'src/compare/register.ts': "import { v } from '../sidebar/view';\nexport const r = v;\n",
  };
  const found = cruise(planted);
  const by = (rule: string) => found.filter((v) => v.rule.name === rule).map((v) => `${v.from} → ${v.to}`);
  const expected: Record<string, string> = {
    'protocol-imports-nothing': 'src/protocol/index.ts → src/probe/config.ts',
    'vocabulary-imports-nothing': 'src/protocol/vocabulary.ts → zod',
    'engine-not-vscode': 'src/probe/config.ts → vscode',
    'engine-below-features': 'src/probe/config.ts → src/editor/hover.ts',
    'view-is-pure': 'src/view/format.ts → fs',
    'webview-only-protocol-and-view': 'webview/panel.ts → src/compare/register.ts',
    'webview-without-the-parser': 'webview/sidebar.ts → src/probe/initializers/parse.ts',
    'host-below-features': 'src/host/session.ts → src/compare/register.ts',
    'editor-not-panels': 'src/editor/hover.ts → src/sidebar/view.ts',
    'compare-not-sidebar': 'src/compare/register.ts → src/sidebar/view.ts',
    'no-node-in-webview': 'webview/panel.ts → path',
    'webview-views-apart': 'webview/sidebar/status.ts → webview/panel/chart.ts',
  };
  for (const [rule, edge] of Object.entries(expected)) {
    assert.ok(by(rule).includes(edge), `${rule} should flag ${edge}; it flagged ${JSON.stringify(by(rule))}`);
  }
  // The view's import of the parser is itself a violation of view-is-pure.
  assert.ok(by('view-is-pure').includes('src/view/describe.ts → src/probe/initializers/parse.ts'));
});
