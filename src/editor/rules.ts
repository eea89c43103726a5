/**
 * The five initializer warnings, judged on the scanned layers with the theory's numbers, each
 * with a quick fix to the initializer the theory recommends for the layer's activation. Pure:
 * (scanned document, settings) → findings; the diagnostics and code-action providers adapt them.
 */
import type { DiagnosticsSettings } from '../host/settings';
import type { Activation, InitSpec, NoteId } from '../probe/initializers/spec';
import { parseInitializer } from '../probe/initializers/parse';
import { activationGain, effectiveScale, predictedGain, recommendedId, weightMean, weightSecondMoment } from '../probe/initializers/theory';
import type { CatalogId } from '../probe/initializers/catalog';
import type { InitializerSite, LayerDef, SourceModel } from './sourceModel';
import { familyOf } from './describe';
import { formatNumber as fmt } from '../view/number';
import { RELU_FAMILY, isProbeActivation } from './layerKinds';
import { layerLabel } from './labels';
import { insertionFor, replacementFor } from './fixText';
import type { TextEdit } from './fixText';

export const RULE_IDS = ['symmetricKernel', 'heWithSaturating', 'glorotInDeepRelu', 'randomScale', 'seluWithoutLecun'] as const;
export type RuleId = (typeof RULE_IDS)[number];

/** The note each rule's code links to. */
export const RULE_NOTES: Record<RuleId, NoteId> = {
  symmetricKernel: 'zero-symmetry',
  heWithSaturating: 'saturation',
  glorotInDeepRelu: 'he',
  randomScale: 'random-initialization',
  seluWithoutLecun: 'lecun-selu',
};

/** The signal-gain band outside which a fixed-scale initializer is flagged (the setting's description). */
export const GAIN_BAND = [0.5, 2] as const;

export interface Finding {
  rule: RuleId;
  /** Offsets the warning underlines: the written initializer, or the layer's name when none is written. */
  start: number;
  end: number;
  message: string;
  noteId: NoteId;
  fix?: { title: string; edit: TextEdit };
}

type Settings = Pick<DiagnosticsSettings, 'enabled' | 'symmetricKernel' | 'heWithSaturating' | 'glorotInDeepRelu' | 'deepStackDepth' | 'randomScale' | 'seluWithoutLecun'>;

/** A small fraction as a person reads it: 0.031, 1e-3, 2e-7. */
function tiny(x: number): string {
  return x >= 0.01 ? x.toPrecision(2) : x.toExponential(0);
}

/** One way a layer's kernel is initialized: a written site, or the library default. */
interface KernelChoice {
  spec: InitSpec;
  site?: InitializerSite;
  /** How messages name it: `he_uniform`, `nn.init.kaiming_normal_`, `glorot_uniform (Keras' default)`. */
  name: string;
}

const DEFAULT_NAMES: Record<LayerDef['framework'], string> = {
  keras: "Keras' default",
  tfjs: "TensorFlow.js' default",
  torch: "nn.Linear's default",
};

function siteName(site: InitializerSite): string {
  if (site.style === 'torch-call') {
    const callee = site.written.slice(0, site.written.indexOf('(') === -1 ? undefined : site.written.indexOf('('));
    return callee.replace(/\s+/g, '');
  }
  if (site.style.endsWith('string')) return site.text;
  return site.parsed?.canonical ?? site.text;
}

function kernelChoices(model: SourceModel, layer: LayerDef): KernelChoice[] {
  const k = layer.kernel;
  const fromSite = (id: number): KernelChoice[] => {
    const site = model.sites[id];
    return site.parsed ? [{ spec: site.parsed.spec, site, name: siteName(site) }] : [];
  };
  switch (k.kind) {
    case 'site':
      return fromSite(k.site);
    case 'variable':
      return k.sites.flatMap(fromSite);
    case 'default': {
      if (!k.text) return [];
      try {
        const parsed = parseInitializer(k.text);
        const shown = layer.framework === 'torch' ? 'kaiming_uniform_(a=√5)' : k.text;
        return [{ spec: parsed.spec, name: `${shown} (${DEFAULT_NAMES[layer.framework]})` }];
      } catch {
        return [];
      }
    }
  }
}

function fixFor(layer: LayerDef, choice: KernelChoice, id: CatalogId, why: string): Finding['fix'] {
  if (choice.site) {
    const newText = replacementFor(choice.site, id);
    return { title: `Use ${newText.trim()} (${why})`, edit: { start: choice.site.start, end: choice.site.end, newText } };
  }
  const edit = insertionFor(layer, id);
  return edit ? { title: `Add ${edit.newText.replace(/^[\s,]+|[\s,]+$/g, '')} (${why})`, edit } : undefined;
}

function isLecunNormal(spec: InitSpec): boolean {
  return spec.kind === 'variance_scaling' && spec.mode === 'fan_in' && Math.abs(spec.scale - 1) < 1e-6 && spec.distribution !== 'uniform';
}

/** The activation the rules judge against, if the layer has one the theory knows. */
function activationOf(layer: LayerDef): Activation | undefined {
  return isProbeActivation(layer.activation) ? layer.activation : undefined;
}

function judge(layer: LayerDef, choice: KernelChoice, settings: Settings): Omit<Finding, 'start' | 'end'>[] {
  const out: Omit<Finding, 'start' | 'end'>[] = [];
  const { spec, name } = choice;
  const act = activationOf(layer);
  const label = layerLabel(layer);
  const recommendation = (a: Activation | undefined): { id: CatalogId; why: string } =>
    a ? { id: recommendedId(a), why: `recommended for ${a}` } : { id: 'he_normal', why: 'recommended for ReLU; the activation is not known here' };
  const add = (rule: RuleId, message: string, target: { id: CatalogId; why: string }): void => {
    const fix = fixFor(layer, choice, target.id, target.why);
    out.push({ rule, message, noteId: RULE_NOTES[rule], ...(fix ? { fix } : {}) });
  };

  if (settings.symmetricKernel && !layer.isOutput && (spec.kind === 'zeros' || spec.kind === 'ones' || spec.kind === 'constant')) {
    add('symmetricKernel', `${name} kernel in hidden layer ${label}: every unit starts identical and gets the same update, so the units never become different (symmetry)`, recommendation(act));
  }

  const family = familyOf(spec);
  if (settings.heWithSaturating && family === 'he' && (act === 'tanh' || act === 'sigmoid')) {
    add(
      'heWithSaturating',
      `${name} with ${act} in ${label}: He's variance 2/fan_in makes up for ReLU zeroing half the signal; ${act} zeroes nothing, so pre-activations grow until the units saturate`,
      recommendation(act),
    );
  }

  if (settings.glorotInDeepRelu && (family === 'glorot' || family === 'lecun') && act !== undefined && RELU_FAMILY.includes(act) && layer.reluRun >= settings.deepStackDepth) {
    const gain = (effectiveScale(spec) ?? 1) * activationGain(act);
    add(
      'glorotInDeepRelu',
      `${name} with ${act} in a stack of ${layer.reluRun} ReLU-family layers: each scales the signal by about ${gain.toPrecision(2)}, so ${gain.toPrecision(2)}^${layer.reluRun} ≈ ${tiny(gain ** layer.reluRun)} of it reaches the last one`,
      recommendation(act),
    );
  }

  if (settings.randomScale && (spec.kind === 'random_normal' || spec.kind === 'random_uniform') && act !== undefined && !layer.isOutput) {
    for (const f of layer.fans) {
      if (f.fanIn === undefined || f.fanOut === undefined) continue;
      const gain = predictedGain(spec, act, f.fanIn, f.fanOut);
      if (gain >= GAIN_BAND[0] && gain <= GAIN_BAND[1]) continue;
      // The width this fixed scale would suit: fan_in·E[w²]·gain(φ) = 1 (zero-mean weights only).
      const suited = weightMean(spec, f.fanIn, f.fanOut) === 0 ? 1 / (weightSecondMoment(spec, f.fanIn, f.fanOut) * activationGain(act)) : undefined;
      const hint = suited !== undefined && Number.isFinite(suited) ? `; its fixed scale suits fan_in ≈ ${Math.round(suited)}` : '';
      add(
        'randomScale',
        `${name} in ${label} with fan_in ${f.fanIn}: predicted signal gain ${fmt(gain)} per layer, outside [${GAIN_BAND[0]}, ${GAIN_BAND[1]}]${hint}`,
        recommendation(act),
      );
      break;
    }
  }

  if (settings.seluWithoutLecun && act === 'selu' && !isLecunNormal(spec)) {
    add('seluWithoutLecun', `${name} with selu in ${label}: SELU self-normalizes only with lecun_normal (Var(W) = 1/fan_in)`, { id: 'lecun_normal', why: 'what SELU needs' });
  }
  return out;
}

/** Every warning in the document under these settings, one per rule and underlined range. */
export function findProblems(model: SourceModel, settings: Settings): Finding[] {
  if (!settings.enabled) return [];
  const findings: Finding[] = [];
  const seen = new Set<string>();
  for (const layer of model.layers) {
    if (layer.role !== 'dense') continue;
    for (const choice of kernelChoices(model, layer)) {
      const range = choice.site ? { start: choice.site.start, end: choice.site.end } : { start: layer.nameStart, end: layer.nameEnd };
      for (const f of judge(layer, choice, settings)) {
        const key = `${f.rule}:${range.start}:${range.end}`;
        if (seen.has(key)) continue;
        seen.add(key);
        findings.push({ ...f, ...range });
      }
    }
  }
  return findings.sort((a, b) => a.start - b.start || a.rule.localeCompare(b.rule));
}
