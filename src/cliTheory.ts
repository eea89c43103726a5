/**
 * `initlens theory`: the mean-field recursion without training (src/probe/theory/meanField.ts):
 * per-layer q, c, χ and backward gain, the fixed point and depth scales, or with --critical the
 * order-to-chaos σ_w² for a σ_b².
 */
import { activationFlag, numberFlag, parseFlags } from './cliFlags';
import Table from 'cli-table3';
import { ACTIVATIONS } from './probe/initializers/spec';
import type { Activation } from './probe/initializers/spec';
import { criticalSigmaW2, theoryTrace } from './probe/theory/meanField';
import type { DepthScales, TheoryTrace } from './probe/theory/meanField';

export const THEORY_USAGE = `Usage: initlens theory [flags]

Mean-field signal propagation through a deep random dense network (Poole et al. 2016,
Schoenholz et al. 2017): q_{l+1} = σ_w²·E[φ(h)²] + σ_b², h ~ N(0, q_l), no training.

  --activation NAME  ${ACTIVATIONS.join(', ')} (default tanh)
  --sigma-w2 X       σ_w² = fan_in·Var(w) (default 1)
  --sigma-b2 X       σ_b² = Var(b) (default 0)
  --depth N          layers (default 20)
  --q0 X             first layer's pre-activation variance (default 1)
  --c0 X             correlation of two inputs' pre-activations at the first layer (default 0.5)
  --critical         print the σ_w² at the order-to-chaos transition (χ₁ = 1) for --sigma-b2
  --json             one JSON document instead of the table
  --help             this text
`;

export interface TheoryOptions {
  activation: Activation;
  sigmaW2: number;
  sigmaB2: number;
  depth: number;
  q0: number;
  c0: number;
  critical: boolean;
  json: boolean;
}

export function parseTheoryArgs(argv: string[]): TheoryOptions | 'help' {
  const v = parseFlags(argv, {
      activation: { type: 'string' },
      'sigma-w2': { type: 'string' },
      'sigma-b2': { type: 'string' },
      depth: { type: 'string' },
      q0: { type: 'string' },
      c0: { type: 'string' },
      critical: { type: 'boolean' },
      json: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
  });
  if (v.help) return 'help';
  const activation = activationFlag(v.activation, 'tanh');
  return {
    activation,
    sigmaW2: numberFlag('sigma-w2', v['sigma-w2'], 1, (x) => x > 0 && x <= 1e4, 'above 0 and at most 10000'),
    sigmaB2: numberFlag('sigma-b2', v['sigma-b2'], 0, (x) => x >= 0 && x <= 1e4, 'from 0 to 10000'),
    depth: numberFlag('depth', v.depth, 20, (x) => Number.isInteger(x) && x >= 1 && x <= 1000, 'a whole number from 1 to 1000'),
    q0: numberFlag('q0', v.q0, 1, (x) => x > 0 && x <= 1e6, 'above 0 and at most 1e6'),
    c0: numberFlag('c0', v.c0, 0.5, (x) => x >= -1 && x <= 1, 'from −1 to 1'),
    critical: v.critical ?? false,
    json: v.json ?? false,
  };
}

/** JSON has no Infinity or NaN: both become null (an infinite depth scale means criticality). */
const finiteOrNull = (x: number | null): number | null => (x !== null && Number.isFinite(x) ? x : null);

export type Phase = 'ordered' | 'chaotic' | 'critical' | 'unbounded';

export function phaseOf(scales: DepthScales): Phase {
  if (scales.qStar === null) return 'unbounded';
  if (Math.abs(scales.chi1 - 1) < 1e-3) return 'critical';
  return scales.chi1 < 1 ? 'ordered' : 'chaotic';
}

export interface TheoryDocument {
  activation: Activation;
  sigmaW2: number;
  sigmaB2: number;
  depth: number;
  q0: number;
  c0: number;
  layers: { layer: number; q: number; c: number; chi: number; backwardGain: number }[];
  fixedPoint: { qStar: number | null; cStar: number | null; chi1: number | null; chiC: number | null; xiQ: number | null; xiC: number | null };
  phase: Phase;
  criticalSigmaW2?: number | null;
}

export function theoryDocument(options: TheoryOptions): TheoryDocument {
  const trace: TheoryTrace = theoryTrace(options.activation, options.sigmaW2, options.sigmaB2, options.depth, options.q0, options.c0);
  const s = trace.scales;
  const doc: TheoryDocument = {
    activation: options.activation,
    sigmaW2: options.sigmaW2,
    sigmaB2: options.sigmaB2,
    depth: options.depth,
    q0: options.q0,
    c0: options.c0,
    layers: trace.layers.map((l) => ({ ...l })),
    fixedPoint: { qStar: finiteOrNull(s.qStar), cStar: finiteOrNull(s.cStar), chi1: finiteOrNull(s.chi1), chiC: finiteOrNull(s.chiC), xiQ: finiteOrNull(s.xiQ), xiC: finiteOrNull(s.xiC) },
    phase: phaseOf(s),
  };
  if (options.critical) doc.criticalSigmaW2 = criticalSigmaW2(options.activation, options.sigmaB2) ?? null;
  return doc;
}

const g = (x: number | null | undefined, digits = 4): string => (x === null || x === undefined ? '—' : Math.abs(x) >= 1e5 || (x !== 0 && Math.abs(x) < 1e-3) ? x.toExponential(digits - 1) : x.toPrecision(digits));

export function renderTheory(doc: TheoryDocument): string {
  const lines = [`InitLens theory — ${doc.activation}, σ_w² ${doc.sigmaW2}, σ_b² ${doc.sigmaB2}, ${doc.depth} layers from q₀ ${doc.q0}, c₀ ${doc.c0}`];
  if (doc.criticalSigmaW2 !== undefined) {
    lines.push(doc.criticalSigmaW2 === null ? `critical σ_w² at σ_b² ${doc.sigmaB2}: none in [0.001, 10000]` : `critical σ_w² at σ_b² ${doc.sigmaB2}: ${doc.criticalSigmaW2.toFixed(4)} (χ₁ = 1 at q*)`);
  }
  const table = new Table({ head: ['layer', 'q (pre-act. variance)', 'c (correlation)', 'χ (backward factor)', 'E[δ²] gain to last layer'], style: { head: [], border: [], compact: true } });
  for (const l of doc.layers) table.push([l.layer, g(l.q), g(l.c, 6), g(l.chi), g(l.backwardGain)]);
  lines.push(table.toString());
  const f = doc.fixedPoint;
  lines.push(
    `fixed point: q* ${doc.phase === 'unbounded' ? '∞ (q grows without bound)' : g(f.qStar)}, c* ${g(f.cStar, 6)}, χ₁ ${g(f.chi1)}, χ_c ${g(f.chiC)}; ` +
      `depth scales ξ_q ${f.xiQ === null ? '∞' : g(f.xiQ, 3)}, ξ_c ${f.xiC === null ? '∞' : g(f.xiC, 3)} layers — ${doc.phase}`,
  );
  return lines.join('\n');
}
