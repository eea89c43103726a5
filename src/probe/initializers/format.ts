/**
 * Canonical text and short labels for specs. The canonical text is Keras' spelling wherever
 * Keras can say it (`he_normal`, `HeNormal(seed=42)`, `RandomNormal(mean=0.0, stddev=0.05)`);
 * the two things Keras cannot say keep the library that can: tfjs' uncorrected truncated
 * normal (`tf.initializers.heNormal()`) and PyTorch's absolute truncation bounds
 * (`nn.init.trunc_normal_(w, …)`). Parsing the canonical text gives back an equal spec.
 */
import type { InitSpec } from './spec';
import { catalogEntry, matchingPreset } from './catalog';
import type { PresetId } from './catalog';

/** Python float literal: shortest round-trip digits, with `.0` on whole numbers. */
function py(x: number): string {
  if (x === Infinity) return 'math.inf';
  if (x === -Infinity) return '-math.inf';
  const s = String(x);
  return /^-?\d+$/.test(s) ? `${s}.0` : s;
}

function seedArg(spec: { seed?: number }, style: 'python' | 'object'): string[] {
  if (spec.seed === undefined) return [];
  return [style === 'python' ? `seed=${spec.seed}` : `seed: ${spec.seed}`];
}

/** The preset the spec was written as, if its arguments still are that preset's. */
function presetOf(spec: InitSpec): PresetId | undefined {
  if (spec.kind !== 'variance_scaling' || spec.preset === undefined) return undefined;
  const match = matchingPreset(spec);
  return match === spec.preset ? match : undefined;
}

const TFJS_MODE = { fan_in: 'fanIn', fan_out: 'fanOut', fan_avg: 'fanAvg' } as const;

export function formatSpec(spec: InitSpec): string {
  switch (spec.kind) {
    case 'zeros':
    case 'ones':
      return spec.kind;
    case 'constant':
      return `Constant(value=${py(spec.value)})`;
    case 'random_normal':
      return `RandomNormal(${[`mean=${py(spec.mean)}`, `stddev=${py(spec.stddev)}`, ...seedArg(spec, 'python')].join(', ')})`;
    case 'random_uniform':
      return `RandomUniform(${[`minval=${py(spec.minval)}`, `maxval=${py(spec.maxval)}`, ...seedArg(spec, 'python')].join(', ')})`;
    case 'truncated_normal':
      if (spec.lower !== undefined && spec.upper !== undefined) {
        const args = [`mean=${py(spec.mean)}`, `std=${py(spec.stddev)}`, `a=${py(spec.lower)}`, `b=${py(spec.upper)}`, ...seedArg(spec, 'python')];
        return `nn.init.trunc_normal_(w, ${args.join(', ')})`;
      }
      return `TruncatedNormal(${[`mean=${py(spec.mean)}`, `stddev=${py(spec.stddev)}`, ...seedArg(spec, 'python')].join(', ')})`;
    case 'variance_scaling': {
      const preset = presetOf(spec);
      if (spec.uncorrected && spec.distribution === 'truncated_normal') {
        const seed = seedArg(spec, 'object');
        if (preset) {
          const name = catalogEntry(preset).tfjsName ?? preset;
          return `tf.initializers.${name}(${seed.length > 0 ? `{${seed.join(', ')}}` : ''})`;
        }
        const args = [`scale: ${spec.scale}`, `mode: '${TFJS_MODE[spec.mode]}'`, `distribution: 'normal'`, ...seed];
        return `tf.initializers.varianceScaling({${args.join(', ')}})`;
      }
      if (preset) {
        return spec.seed === undefined ? preset : `${catalogEntry(preset).className}(seed=${spec.seed})`;
      }
      const args = [`scale=${py(spec.scale)}`, `mode='${spec.mode}'`, `distribution='${spec.distribution}'`, ...seedArg(spec, 'python')];
      return `VarianceScaling(${args.join(', ')})`;
    }
    case 'orthogonal':
      return spec.gain === 1 && spec.seed === undefined ? 'orthogonal' : `Orthogonal(${[`gain=${py(spec.gain)}`, ...seedArg(spec, 'python')].join(', ')})`;
    case 'identity':
      return spec.gain === 1 ? 'identity' : `Identity(gain=${py(spec.gain)})`;
    case 'lsuv': {
      const isDefault = spec.tolerance === 0.1 && spec.maxIterations === 10 && spec.seed === undefined;
      return isDefault ? 'lsuv' : `LSUV(${[`tolerance=${py(spec.tolerance)}`, `max_iterations=${spec.maxIterations}`, ...seedArg(spec, 'python')].join(', ')})`;
    }
  }
}

/** Three significant digits, no trailing zeros: for labels, never for round trips. */
function short(x: number): string {
  return String(Number(x.toPrecision(3)));
}

const DISTRIBUTION_LABEL = { truncated_normal: 'truncated', untruncated_normal: 'normal', uniform: 'uniform' } as const;

/** A short label for table headers and legends: `he_normal`, `N(0, 0.05)`, `VS(2, fan_out, uniform)`. */
export function specLabel(spec: InitSpec): string {
  switch (spec.kind) {
    case 'zeros':
    case 'ones':
      return spec.kind;
    case 'constant':
      return `constant(${short(spec.value)})`;
    case 'random_normal':
      return `N(${short(spec.mean)}, ${short(spec.stddev)})`;
    case 'random_uniform':
      return `U(${short(spec.minval)}, ${short(spec.maxval)})`;
    case 'truncated_normal':
      return spec.lower !== undefined && spec.upper !== undefined
        ? `TN(${short(spec.mean)}, ${short(spec.stddev)}) in [${short(spec.lower)}, ${short(spec.upper)}]`
        : `TN(${short(spec.mean)}, ${short(spec.stddev)})`;
    case 'variance_scaling': {
      const preset = presetOf(spec);
      const uncorrected = spec.uncorrected === true && spec.distribution === 'truncated_normal';
      if (preset) return uncorrected ? `${catalogEntry(preset).tfjsName ?? preset} (tfjs)` : preset;
      return `VS(${short(spec.scale)}, ${spec.mode}, ${DISTRIBUTION_LABEL[spec.distribution]}${uncorrected ? ', tfjs' : ''})`;
    }
    case 'orthogonal':
      return spec.gain === 1 ? 'orthogonal' : `orthogonal×${short(spec.gain)}`;
    case 'identity':
      return spec.gain === 1 ? 'identity' : `identity×${short(spec.gain)}`;
    case 'lsuv':
      return spec.tolerance === 0.1 && spec.maxIterations === 10 ? 'lsuv' : `lsuv(${short(spec.tolerance)}, ${spec.maxIterations})`;
  }
}
