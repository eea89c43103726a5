/**
 * What normalization and residual branches change about a measured layer's verdicts, from the
 * graph's plan and the step-0 measurements (media/notes/normalization.md explains it):
 *
 * - normalized: a Dense or convolution whose linear output goes straight into a
 *   BatchNormalization or LayerNormalization. The normalization divides by the batch's own
 *   standard deviation, so the kernel's scale a cancels (BN(a·Wu) = BN(Wu), Ioffe & Szegedy 2015,
 *   §3.3): it does not reach the forward signal, only the size of the kernel's gradient (∝ 1/a).
 *   That holds while the pre-normalization variance v is at least the normalization's ε (the
 *   output's variance is v/(v + ε) ≥ ½); below ε the scale still reaches the signal and the layer
 *   is judged as any other.
 * - zero_branch: the last Dense or convolution of a residual branch that starts at zero, by a zero
 *   kernel (Fixup, Zhang, Dauphin & Ma 2019; SkipInit's zero branch, De & Smith 2020) or a zero γ
 *   of the branch's last BatchNormalization (Goyal et al. 2017): the block starts as the identity.
 * - inside_zero_branch: the other measured layers of such a branch: no gradient reaches them at
 *   step 0 (the branch's zero end multiplies it away) until that end has moved.
 *
 * The Diagnoser leaves these layers out of the rules their role makes meaningless (forward and
 * backward trends); the evidence line says so with the numbers.
 */
import type { LayerScaleRole } from '../../protocol';
import type { InitSpec } from '../initializers/spec';
import { parseInitializer } from '../initializers/parse';
import { formatNumber } from '../../view/number';
import type { GraphPlan, PlannedLayer } from './shapes';

const isZero = (spec: InitSpec | undefined): boolean => spec?.kind === 'zeros' || (spec?.kind === 'constant' && spec.value === 0);

function parsedOrUndefined(text: string): InitSpec | undefined {
  try {
    return parseInitializer(text).spec;
  } catch {
    return undefined; // the builder reports it with the layer's line
  }
}

/** Layers that pass their input on linearly and elementwise per channel, as a branch's tail may: dropout, a linear activation, BatchNormalization. */
function passesLinearly(l: PlannedLayer): boolean {
  const s = l.spec;
  return s.kind === 'dropout' || (s.kind === 'activation' && s.activation === 'linear') || s.kind === 'batch_normalization';
}

function ancestors(plan: GraphPlan, index: number): Set<number> {
  const seen = new Set<number>();
  const stack = [index];
  while (stack.length) {
    const i = stack.pop()!;
    if (seen.has(i)) continue;
    seen.add(i);
    stack.push(...plan.layers[i].inputs);
  }
  return seen;
}

export interface RoleInputs {
  plan: GraphPlan;
  /** Kernel initializer of each layer with a kernel, by layer index. */
  kernelInit: (layer: number) => InitSpec | undefined;
  /** Step-0 pre-activation variance of each measured layer, in plan.measured order. */
  preActivationVariance: readonly (number | null)[];
}

/**
 * For each measured layer, the normalization on its input path back to the previous Dense or
 * convolution (through pooling, activations, dropout, merges), if any: the signal's scale is
 * reset there, so a trend of E[a²] compares nothing across it.
 */
export function normalizationsBefore(plan: GraphPlan): (string | undefined)[] {
  return plan.measured.map((m) => {
    const stack = [...plan.layers[m.layer].inputs];
    const seen = new Set<number>();
    while (stack.length) {
      const i = stack.pop()!;
      if (seen.has(i)) continue;
      seen.add(i);
      const s = plan.layers[i].spec;
      if (s.kind === 'batch_normalization' || s.kind === 'layer_normalization') return s.name;
      if (s.kind === 'dense' || s.kind === 'conv2d' || s.kind === 'input') continue;
      stack.push(...plan.layers[i].inputs);
    }
    return undefined;
  });
}

/** One role (or none) per measured layer, in plan.measured order. */
export function scaleRoles({ plan, kernelInit, preActivationVariance }: RoleInputs): (LayerScaleRole | undefined)[] {
  const fmt = formatNumber;
  const consumers = (i: number): number[] => plan.layers.filter((l) => l.inputs.includes(i)).map((l) => l.index);
  const roles = new Map<number, LayerScaleRole>();

  // Residual branches that start at zero: walk back from each input of an Add through linear, per-channel layers to the branch's last Dense/conv.
  for (const add of plan.layers) {
    if (add.spec.kind !== 'add') continue;
    add.inputs.forEach((input, j) => {
      let at = input;
      let zeroGamma: string | undefined;
      while (passesLinearly(plan.layers[at]) && consumers(at).length === 1) {
        const s = plan.layers[at].spec;
        if (s.kind === 'batch_normalization' && isZero(parsedOrUndefined(s.gammaInitializer))) zeroGamma = s.name;
        at = plan.layers[at].inputs[0];
      }
      const end = plan.layers[at];
      if (end.spec.kind !== 'dense' && end.spec.kind !== 'conv2d') return;
      if (end.spec.activation !== 'linear' && !zeroGamma) return;
      const zeroKernel = isZero(kernelInit(end.index));
      if (!zeroKernel && !zeroGamma) return;
      // A branch: the layers only this input of the Add depends on (the shortcut does not pass through them).
      const others = new Set<number>();
      add.inputs.forEach((k, m) => {
        if (m !== j) for (const a of ancestors(plan, k)) others.add(a);
      });
      if (others.has(end.index)) return;
      const how = zeroKernel
        ? `its kernel starts at zero (Fixup, SkipInit), so the branch adds nothing at step 0 and the block through ${add.spec.name} starts as the identity`
        : `${zeroGamma}'s γ starts at zero (zero-γ, Goyal et al. 2017), so the branch adds nothing at step 0 and the block through ${add.spec.name} starts as the identity`;
      roles.set(end.index, {
        kind: 'zero_branch',
        by: add.spec.name,
        forward: true,
        backward: true,
        evidence: `${end.spec.name} ends a residual branch: ${how}. Healthy by design, not vanishing or symmetric: its gradient is not zero and breaks the tie at the first update`,
        note: 'normalization',
      });
      for (const k of ancestors(plan, input)) {
        const l = plan.layers[k];
        if (k === end.index || others.has(k) || (l.spec.kind !== 'dense' && l.spec.kind !== 'conv2d') || roles.has(k)) continue;
        roles.set(k, {
          kind: 'inside_zero_branch',
          by: end.spec.name,
          forward: false,
          backward: true,
          evidence: `${l.spec.name} is inside a residual branch that ${zeroKernel ? `${end.spec.name}'s zero kernel` : `${zeroGamma}'s zero γ`} closes: no gradient reaches it at step 0, by design, until that end has moved at the first update`,
          note: 'normalization',
        });
      }
    });
  }

  return plan.measured.map((m, i) => {
    const byBranch = roles.get(m.layer);
    if (byBranch?.kind === 'zero_branch') return byBranch;
    const next = consumers(m.layer);
    const norm = next.length === 1 ? plan.layers[next[0]].spec : undefined;
    const linear = m.activation === 'linear' && m.actLayer === m.layer;
    if (!linear || !norm || (norm.kind !== 'batch_normalization' && norm.kind !== 'layer_normalization')) return byBranch;
    const v = preActivationVariance[i];
    const name = plan.layers[m.layer].spec.name;
    const eps = norm.epsilon;
    if (v === null || !Number.isFinite(v)) return byBranch;
    const kept = v / (v + eps);
    const restored = v >= eps;
    const values = { preNormalizationVariance: v, epsilon: eps, varianceKept: kept };
    if (restored) {
      return {
        kind: 'normalized',
        by: norm.name,
        forward: true,
        backward: true,
        evidence: `${name}'s output is normalized by ${norm.name} (pre-normalization variance ${fmt(v)} ≥ ε ${fmt(eps)}; normalized, its variance is ${fmt(kept)}): its weight scale does not reach the forward signal, so it is not judged vanishing or exploding for it; it sets the size of the kernel's gradient instead (∝ 1/scale)${byBranch ? `. ${byBranch.evidence}` : ''}`,
        note: 'normalization',
        values,
      };
    }
    // ε dominates: the normalization cannot undo the scale, and the layer is judged as any other.
    return {
      kind: 'normalized',
      by: norm.name,
      forward: false,
      backward: byBranch?.backward ?? false,
      evidence: `${name}'s pre-normalization variance ${fmt(v)} is under ${norm.name}'s ε ${fmt(eps)}: the normalization passes on only ${fmt(kept)} of unit variance (v/(v + ε)), so its weight scale still reaches the signal`,
      note: 'normalization',
      values,
    };
  });
}
