// The user's own PyTorch, in real VS Code: the interpreter found on PATH when neither the
// setting nor the Python extension gives one, the CodeLens above PyTorch models.
// (watch() files reaching the panel: test/ui/watch.test.ts, a real script in real VS Code).
import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import * as vscode from 'vscode';
import { initLens, openFixture, waitFor } from './helpers';

interface PythonStatus {
  executable?: string;
  source: string;
  why: string;
  torch: string | null;
  problem?: string;
}

describe('PyTorch', function () {
  this.timeout(300_000);

  before(async () => {
    await initLens().activate();
  });

  after(() => {
    rmSync(join(vscode.workspace.workspaceFolders![0].uri.fsPath, '.initlens'), { recursive: true, force: true });
  });

  it('falls back to python3 on PATH without initlens.pythonPath or the Python extension', async () => {
    const status = (await vscode.commands.executeCommand('initlens._pythonStatus')) as PythonStatus;
    assert.equal(status.source, 'path', status.why);
    assert.match(status.why, /^python3? on PATH \(the Python extension is not installed; initlens.pythonPath unset\)$/);
    const which = spawnSync('sh', ['-c', 'command -v python3 || command -v python'], { encoding: 'utf8' }).stdout.trim();
    assert.equal(status.executable, which);
    // What that interpreter offers: its torch version, or (no torch there) how to install it.
    const torch = spawnSync(which, ['-c', 'import torch; print(torch.__version__)'], { encoding: 'utf8' });
    if (torch.status === 0) {
      assert.equal(status.torch, torch.stdout.trim());
    } else {
      assert.equal(status.torch, null);
      // (named by the interpreter's own sys.executable: a pyenv shim resolves to its version's python)
      assert.match(status.problem ?? '', /cannot import torch.*; install PyTorch in that environment: \S+ -m pip install torch numpy/);
      assert.doesNotMatch(status.problem ?? '', /\n/);
    }
  });

  it('Set Up Python Helper: the lines it shows make watch() importable and write into this workspace', async () => {
    const snippet = (await vscode.commands.executeCommand('initlens.setUpPythonHelper')) as string;
    // The lines are shown to the person in an editor, to paste into a notebook.
    await waitFor('the snippet in an editor', () => vscode.window.activeTextEditor?.document.getText().includes(snippet) ?? false);
    const folder = vscode.workspace.workspaceFolders![0].uri.fsPath;
    const runs = join(folder, '.initlens', 'runs');
    const before = existsSync(runs) ? readdirSync(runs) : [];
    // Pasted after building a model, as the comment says, in a Python started elsewhere (no PYTHONPATH).
    const code = ['import torch', 'model = torch.nn.Sequential(torch.nn.Linear(784, 10))', snippet, 'model(torch.rand(4, 784)).sum().backward()', 'watcher.close()', 'print(watcher.path)'].join('\n');
    const env = { ...process.env };
    delete env.PYTHONPATH;
    delete env.INITLENS_RUN_DIR;
    const r = spawnSync('/usr/bin/python3', ['-c', code], { encoding: 'utf8', cwd: '/', env, timeout: 120_000 });
    assert.equal(r.status, 0, r.stderr);
    const written = r.stdout.trim();
    assert.equal(join(written, '..'), runs, 'the run goes to this workspace, wherever Python was started');
    assert.ok(!before.includes(written.split('/').pop()!));
    assert.match(readFileSync(written, 'utf8').split('\n')[0], /"type": ?"started"/);
  });

  it('offers to probe the nn.Module in the fixture with the PyTorch runner', async () => {
    const editor = await openFixture('torch_model.py');
    const lenses = (await vscode.commands.executeCommand('vscode.executeCodeLensProvider', editor.document.uri)) as vscode.CodeLens[];
    const torch = lenses.filter((l) => l.command?.command === 'initlens.probeTorchModel');
    const mlp = torch.find((l) => (l.command?.arguments?.[0] as { name?: string } | undefined)?.name === 'MLP');
    assert.ok(mlp, `a PyTorch lens for MLP among ${torch.length}`);
    assert.deepEqual(mlp.command?.arguments?.[0], { file: editor.document.uri.fsPath, name: 'MLP' });
    assert.equal(mlp.range.start.line, 6);
  });
});
