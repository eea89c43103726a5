// The user's own PyTorch, in real VS Code: the interpreter found on PATH when neither the
// setting nor the Python extension gives one, the CodeLens above PyTorch models, and a real
// training script's watch() file streaming into the Compare panel.
import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, rmSync } from 'node:fs';
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

interface PanelState {
  open: boolean;
  title: string;
  rendered?: { runs: { runId: string; initializer: string; status: string; steps: number; flags: string[] }[] };
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
  });

  it('offers to probe the nn.Module in the fixture with the PyTorch runner', async () => {
    const editor = await openFixture('torch_model.py');
    const lenses = (await vscode.commands.executeCommand('vscode.executeCodeLensProvider', editor.document.uri)) as vscode.CodeLens[];
    const torch = lenses.filter((l) => l.command?.command === 'initlens.probeTorchModel');
    assert.equal(torch.length, 1);
    assert.deepEqual(torch[0].command?.arguments?.[0], { file: editor.document.uri.fsPath, name: 'MLP' });
    assert.equal(torch[0].range.start.line, 6);
  });

  it("streams a real training script's watch() into the panel", async () => {
    const folder = vscode.workspace.workspaceFolders![0].uri.fsPath;
    const runs = join(folder, '.initlens', 'runs');
    mkdirSync(runs, { recursive: true });
    // The workspace is the repository's test/fixtures/workspace (the extension under test is a copy).
    const repo = join(folder, '..', '..', '..');
    const python = process.env.INITLENS_TEST_PYTHON ?? '/usr/bin/python3';
    const r = spawnSync(python, [join(repo, 'test', 'fixtures', 'pytorch', 'train_watch.py'), '30'], {
      encoding: 'utf8',
      env: { ...process.env, PYTHONPATH: join(repo, 'python'), INITLENS_RUN_DIR: runs },
      timeout: 240_000,
    });
    assert.equal(r.status, 0, r.stderr);
    const panelState = async (): Promise<PanelState> => (await vscode.commands.executeCommand('initlens._panelState')) as PanelState;
    await waitFor(
      'the watched run to reach the panel, finished',
      async () => (await panelState()).rendered?.runs.some((run) => run.initializer === 'tiny (watch)' && run.status === 'finished') ?? false,
      60_000,
    );
    const state = await panelState();
    assert.match(state.title, /^Live: watch\(\) in train_watch\.py — tiny \(watch\)$/);
    const run = state.rendered!.runs.find((x) => x.initializer === 'tiny (watch)')!;
    assert.equal(run.steps, 3);
  });
});
