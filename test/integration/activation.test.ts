import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { initLens, log, openFixture, waitFor } from './helpers';

describe('InitLens in VS Code', () => {
  it('runs in a real VS Code', () => {
    const ui = vscode.env.uiKind === vscode.UIKind.Web ? 'web' : 'desktop';
    log(`      VS Code ${vscode.version} (${vscode.env.appName}, ${ui} UI), extension host on Node ${process.versions.node}`);
    assert.match(vscode.version, /^1\.\d+\.\d+/);
  });

  it('activates when a Python file opens', async () => {
    const editor = await openFixture('seed_model.py');
    assert.equal(editor.document.languageId, 'python');
    const extension = initLens();
    await waitFor('InitLens to activate', () => extension.isActive);
  });

  it('contributes initlens.compareInitializers', async () => {
    await initLens().activate();
    const commands = await vscode.commands.getCommands(true);
    assert.ok(commands.includes('initlens.compareInitializers'), 'initlens.compareInitializers is not registered');
  });

  it('runs initlens.compareInitializers without throwing', async () => {
    await vscode.commands.executeCommand('initlens.compareInitializers');
  });
});
