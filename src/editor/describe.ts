/**
 * Words and numbers about one initializer spec, shared by the hover and the diagnostics: its
 * catalog family, its formula, its parameters, its scale for given fans, and the family name a
 * rule talks about (He, Glorot, LeCun).
 */
import type { Activation, InitSpec } from '../probe/initializers/spec';
import { ACTIVATIONS } from '../probe/initializers/spec';
import { catalogEntry, catalogEntryForSpec, PRESET_IDS } from '../probe/initializers/catalog';
import type { CatalogEntry } from '../probe/initializers/catalog';
import { suitsActivation, weightStdOrLimit } from '../probe/initializers/theory';
import { formatNumber } from '../view/number';

const fmt = formatNumber;

/** A parameter value as short text: 2, 0.05, fan_in. */
function value(x: number): string {
  return String(Number(x.toPrecision(6)));
}

/**
 * The catalog entry that explains a spec. VarianceScaling without a preset still belongs to a
 * family when its scale and mode are a preset's: PyTorch's kaiming_normal_ (untruncated) is He.
 */
export function familyEntry(spec: InitSpec): CatalogEntry {
  const exact = catalogEntryForSpec(spec);
  if (spec.kind !== 'variance_scaling' || exact.id !== 'variance_scaling') return exact;
  const wantsUniform = spec.distribution === 'uniform';
  const id = PRESET_IDS.find((p) => {
    const d = catalogEntry(p).defaults;
    return d.kind === 'variance_scaling' && Math.abs(d.scale - spec.scale) < 1e-9 && d.mode === spec.mode && (d.distribution === 'uniform') === wantsUniform;
  });
  return id ? catalogEntry(id) : exact;
}

export type Family = 'he' | 'glorot' | 'lecun';

/** The named scheme a VarianceScaling spec amounts to, by its scale and mode (any distribution). */
export function familyOf(spec: InitSpec): Family | undefined {
  if (spec.kind !== 'variance_scaling') return undefined;
  const near = (x: number): boolean => Math.abs(Math.log2(spec.scale / x)) < 0.1;
  if (near(2) && spec.mode !== 'fan_avg') return 'he';
  if (near(1) && spec.mode === 'fan_avg') return 'glorot';
  if (near(1) && spec.mode === 'fan_in') return 'lecun';
  return undefined;
}

const FAN = { fan_in: 'fan_in', fan_out: 'fan_out', fan_avg: '(fan_in+fan_out)/2' } as const;
const FAN_SUM = { fan_in: 'fan_in', fan_out: 'fan_out', fan_avg: '(fan_in+fan_out)' } as const;

/** One-line formula in terms of fan_in and fan_out, exact for this spec's scale, mode and distribution. */
export function formulaFor(spec: InitSpec): string {
  const exact = catalogEntryForSpec(spec);
  if (spec.kind !== 'variance_scaling') return exact.formula;
  if (exact.id !== 'variance_scaling' && !spec.uncorrected) return exact.formula;
  // Glorot's scale 1 over the mean fan reads best as 2/(fan_in+fan_out).
  const s = spec.mode === 'fan_avg' ? value(2 * spec.scale) : value(spec.scale);
  const n = spec.mode === 'fan_avg' ? FAN_SUM.fan_avg : FAN[spec.mode];
  switch (spec.distribution) {
    case 'uniform':
      return `W ~ U(±√(${spec.mode === 'fan_avg' ? value(6 * spec.scale) : value(3 * spec.scale)}/${n}))`;
    case 'untruncated_normal':
      return `W ~ N(0, ${s}/${n}), untruncated`;
    case 'truncated_normal':
      return spec.uncorrected
        ? `W ~ N(0, ${s}/${n}) truncated at 2σ without Keras' rescaling, so Var(W) = 0.774·${s}/${n}`
        : `W ~ N(0, ${s}/${n}), truncated at 2σ (std rescaled by 1/0.8796)`;
  }
}

/** The spec's resolved parameters, in Keras' names: `scale 2 · mode fan_in · distribution truncated_normal`. */
export function parametersOf(spec: InitSpec): string[] {
  const seed = 'seed' in spec && spec.seed !== undefined ? [`seed ${spec.seed}`] : [];
  switch (spec.kind) {
    case 'zeros':
    case 'ones':
      return [];
    case 'constant':
      return [`value ${value(spec.value)}`];
    case 'random_normal':
      return [`mean ${value(spec.mean)}`, `stddev ${value(spec.stddev)}`, ...seed];
    case 'random_uniform':
      return [`minval ${value(spec.minval)}`, `maxval ${value(spec.maxval)}`, ...seed];
    case 'truncated_normal': {
      const bounds = spec.lower !== undefined && spec.upper !== undefined ? [`a ${value(spec.lower)}`, `b ${value(spec.upper)}`] : [];
      return [`mean ${value(spec.mean)}`, `stddev ${value(spec.stddev)}`, ...bounds, ...seed];
    }
    case 'variance_scaling':
      return [`scale ${value(spec.scale)}`, `mode ${spec.mode}`, `distribution ${spec.distribution}`, ...(spec.uncorrected ? ['no truncation correction (tfjs)'] : []), ...seed];
    case 'orthogonal':
      return [`gain ${value(spec.gain)}`, ...seed];
    case 'identity':
      return [`gain ${value(spec.gain)}`];
    case 'lsuv':
      return [`tolerance ${value(spec.tolerance)}`, `max_iterations ${spec.maxIterations}`, ...seed];
  }
}

/**
 * The weights' scale for these fans, as numbers a person compares: the main one (`std 0.0505`,
 * `limit ±0.0866`) and, where it adds something, a detail (`(std 0.05)`).
 */
export function scaleText(spec: InitSpec, fanIn: number, fanOut: number): { main: string; detail?: string } {
  const s = weightStdOrLimit(spec, fanIn, fanOut);
  switch (s.distribution) {
    case 'constant':
      return { main: `every weight = ${fmt(s.mean)}` };
    case 'uniform':
      return s.limit !== undefined
        ? { main: `limit ±${fmt(s.limit)}`, detail: `(std ${fmt(s.std)})` }
        : { main: `U(${fmt(s.lower ?? 0)}, ${fmt(s.upper ?? 0)})`, detail: `(std ${fmt(s.std)})` };
    case 'truncated_normal':
    case 'normal':
      return s.mean !== 0 ? { main: `std ${fmt(s.std)}`, detail: `(mean ${fmt(s.mean)})` } : { main: `std ${fmt(s.std)}` };
    case 'orthogonal':
      return { main: `rms ${fmt(s.std)}`, detail: '(orthogonal)' };
    case 'identity':
      return { main: `diagonal ${fmt(spec.kind === 'identity' ? spec.gain : 1)}`, detail: `(rms ${fmt(Math.sqrt(s.std ** 2 + s.mean ** 2))})` };
  }
}

/** Activations this spec suits by the theory (without fans: the scale a square layer would get). */
export function suitedActivations(spec: InitSpec): Activation[] {
  return ACTIVATIONS.filter((a) => suitsActivation(spec, a));
}
