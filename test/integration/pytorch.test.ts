// The user's own PyTorch, in real VS Code: the interpreter found on PATH when neither the
// setting nor the Python extension gives one, the CodeLens above PyTorch models.
// (watch() files reaching the panel: test/ui/watch.test.ts, a real script in real VS Code).
import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import * as vscode from 'vscode';
import { initLens, openFixture } from './helpers';

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
