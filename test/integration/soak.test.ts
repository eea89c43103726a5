// Soak in the real extension host: 50 probes in 10 comparisons through the Compare command keep
// the extension host's heap flat (the probes themselves run in child processes).
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { initLens, log, waitFor } from './helpers';

interface PanelState {
  running: boolean;
  rendered?: { runs: { status: string }[] };
}
const panelState = async (): Promise<PanelState> => (await vscode.commands.executeCommand('initlens._panelState')) as PanelState;

describe('Soak: extension host heap', function () {
  this.timeout(600_000);

  before(async () => {
    await initLens().activate();
    await vscode.commands.executeCommand('initlens.stop');
  });

  it('stays stable over 50 probes', async () => {
    const heaps: number[] = [];
    const inits = ['Zeros', 'HeNormal', 'GlorotNormal', 'RandomNormal(stddev=0.05)', 'lecun_normal'];
    for (let round = 0; round < 10; round++) {
      await vscode.commands.executeCommand('initlens.compareInitializers', { initializers: inits, network: 'seed', steps: 5, ifRunning: 'stop' });
      await waitFor(
        `comparison ${round + 1} to finish`,
        async () => {
          const s = await panelState();
          return !s.running && (s.rendered?.runs.length ?? 0) === inits.length && (s.rendered?.runs.every((r) => r.status === 'finished') ?? false);
        },
        120_000,
      );
      heaps.push(process.memoryUsage().heapUsed);
    }
    const mb = (x: number): string => (x / 2 ** 20).toFixed(1);
    log(`      extension host heap after 10/25/50 probes: ${mb(heaps[1])}/${mb(heaps[4])}/${mb(heaps[9])} MB`);
    // GC is lazy; a leak of each comparison's results (~0.5 MB per probe) would still show.
    assert.ok(heaps[9] - heaps[1] < 40 * 2 ** 20, `heap grew from ${mb(heaps[1])} to ${mb(heaps[9])} MB`);
  });
});
