/** The order-to-chaos phase diagram and `initlens propagate`'s flags. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { criticalSigmaW2At, phaseDiagram, placeInitializer, range } from '../../src/probe/propagation/phaseDiagram';
import { parseInitializer } from '../../src/probe/initializers/parse';
import { parsePropagateArgs } from '../../src/cliPropagate';

test('tanh: the critical line passes σ_w² ≈ 1.76 at σ_b² = 0.05 (Schoenholz et al. 2017)', () => {
  const exact = criticalSigmaW2At('tanh', 0.05);
  assert.ok(exact !== null && Math.abs(exact - 1.76) < 0.01, `critical σ_w² ${exact}`);
  const d = phaseDiagram('tanh', { sigmaW2: range(1, 3, 21), sigmaB2: [0.05, 0.1] });
  const line = d.critical[0].sigmaW2;
  assert.ok(line !== null && Math.abs(line - 1.76) < 0.02, `grid line at ${line}`);
  // Left of the line ordered (χ₁ < 1), right of it chaotic.
  assert.ok(d.chi1[0][0] < 1 && d.chi1[0][20] > 1);
  assert.ok(d.critical[1].sigmaW2! > line, 'more bias variance moves the line right');
});

test('the seed initializers on the ReLU diagram: He is critical, Glorot ordered, Zeros dead', () => {
  const place = (text: string): ReturnType<typeof placeInitializer> => placeInitializer(text, parseInitializer(text).spec, 'relu', 256);
  assert.equal(place('he_normal').phase, 'critical');
  assert.ok(Math.abs(place('he_normal').sigmaW2 - 2) < 1e-9);
  assert.equal(place('glorot_normal').phase, 'ordered');
  assert.ok(Math.abs(place('glorot_normal').chi1 - 0.5) < 1e-9);
  assert.equal(place('zeros').chi1, 0);
});

test('propagate flags: defaults, and one-line reasons for bad ones', () => {
  const o = parsePropagateArgs(['sweep', '--activation', 'tanh']);
  assert.ok(o !== 'help' && o.subcommand === 'sweep' && o.activation === 'tanh' && o.initializers.length === 4);
  assert.equal(parsePropagateArgs(['--help']), 'help');
  const reason = (argv: string[]): string => {
    try {
      parsePropagateArgs(argv);
    } catch (err) {
      return (err as Error).message;
    }
    return 'no error';
  };
  assert.match(reason(['spin']), /unknown subcommand 'spin'/);
  assert.match(reason(['sweep', '--depth', '-5']), /--depth must be a whole number from 1 to 200, got -5/);
  assert.match(reason(['sweep', '--depth', '500']), /--depth must be a whole number from 1 to 200/);
  assert.match(reason(['phase', '--activation', 'swish']), /unknown activation 'swish'/);
  assert.match(reason(['map', '--sigma-w2', '1,x']), /--sigma-w2: 'x' is not a number/);
  assert.match(reason(['jacobian', '--init', 'he_norml']), /--init: .*he_norml/);
  assert.match(reason(['sweep', '--frobnicate']), /frobnicate/);
  for (const argv of [['spin'], ['sweep', '--depth', '-5'], ['sweep', '--frobnicate']]) assert.ok(!reason(argv).includes('\n'), 'one line');
});
