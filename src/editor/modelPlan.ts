/**
 * "Probe this model": a Keras or tfjs Sequential model in the editor → the dense network the
 * probe builds (hidden units, per-layer activations and initializers, output initializer), with
 * every layer it leaves out and every difference from the model said in `skipped`. Pure.
 */
import { z } from 'zod';
import { ACTIVATIONS } from '../probe/initializers/spec';
import type { Activation } from '../probe/initializers/spec';
import { parseInitializer } from '../probe/initializers/parse';
import type { ProbeConfig } from '../probe/config';
import { validateConfig } from '../probe/config';
import { SEED_INITIALIZERS_WRITTEN } from '../protocol';
import type { RunRequest } from '../protocol';
import type { LayerDef, SourceModel } from './sourceModel';
import { isProbeActivation } from './layerKinds';
import { layerLabel, lineNumber } from './labels';
import { requestText, shortLabel } from './requestText';
import { MNIST_CLASSES, MNIST_INPUT } from './initializerRequests';
import type { PlannedComparison } from './initializerRequests';

/** The seed notebook's four initializers, in its order. */
export const SEED_INITIALIZERS = SEED_INITIALIZERS_WRITTEN;

const MAX_VARIANTS = 8;

export const modelPlanSchema = z.object({
  /** `mlp (keras_models.py:10): 784 → 128 relu → 10 softmax` */
  title: z.string().max(500),
  hidden: z.array(z.number().int().positive()).min(1).max(1000),
  layerActivations: z.array(z.enum(ACTIVATIONS)).min(1).max(1000),
  /**
   * The model's own initializers, per hidden layer. Usually one variant; several when a layer's
   * initializer is a function parameter and the file calls the function with several (the seed notebook).
   */
  variants: z
    .array(z.object({ label: z.string().max(200), layerInitializers: z.array(z.string().min(1).max(4000)).min(1).max(1000) }))
    .min(1)
    .max(MAX_VARIANTS),
  outputInitializer: z.string().min(1).max(4000),
  skipped: z.array(z.string().max(500)).max(200),
});
export type ModelPlan = z.infer<typeof modelPlanSchema>;

export type PlanResult = { ok: true; plan: ModelPlan } | { ok: false; reason: string };

const DEFAULT_TEXT: Record<LayerDef['framework'], string> = { keras: 'glorot_uniform', tfjs: 'glorotNormal', torch: 'glorot_uniform' };

/** The initializer texts a layer's kernel can be, plus anything worth saying about them. */
function kernelTexts(source: SourceModel, layer: LayerDef, where: string): { texts: string[]; group?: string; notes: string[] } | { error: string } {
  const k = layer.kernel;
  switch (k.kind) {
    case 'default':
      return { texts: [k.text || DEFAULT_TEXT[layer.framework]], notes: [] };
    case 'site': {
      const site = source.sites[k.site];
      if (!site.parsed) return { error: `the kernel initializer of ${where} can't be read: ${site.error ?? 'not an initializer'}` };
      return { texts: [requestText(site.text, site.parsed)], notes: [] };
    }
    case 'variable': {
      const texts: string[] = [];
      for (const id of k.sites) {
        const site = source.sites[id];
        if (site.parsed) texts.push(requestText(site.text, site.parsed));
      }
      const unique = [...new Set(texts)];
      if (unique.length === 0) {
        const fallback = DEFAULT_TEXT[layer.framework];
        return { texts: [fallback], notes: [`the kernel initializer '${k.name}' of ${where} can't be resolved: probed with ${fallback}, the library's default`] };
      }
      return { texts: unique, group: k.name, notes: [] };
    }
  }
}

function compressWidths(hidden: number[], activations: string[]): string {
  const parts: string[] = [];
  let i = 0;
  while (i < hidden.length) {
    let j = i;
    while (j < hidden.length && hidden[j] === hidden[i] && activations[j] === activations[i]) j++;
    parts.push(`${hidden[i]} ${activations[i]}${j - i > 1 ? ` ×${j - i}` : ''}`);
    i = j;
  }
  return parts.join(' → ');
}

function labelFor(texts: readonly string[]): string {
  const labels = [...new Set(texts.map((t) => shortLabel(parseInitializer(t))))];
  return labels.join(' / ');
}

export function planModel(source: SourceModel, modelId: number, fileName?: string): PlanResult {
  const model = source.models[modelId];
  if (!model) return { ok: false, reason: 'no such model' };
  if (model.problem) return { ok: false, reason: model.problem };
  const layers = model.layers.map((id) => source.layers[id]);
  const where = (l: LayerDef): string => `${layerLabel(l)} (line ${lineNumber(source, l.start)})`;
  const densePositions = layers.map((l, i) => (l.role === 'dense' ? i : -1)).filter((i) => i >= 0);
  if (densePositions.length === 0) return { ok: false, reason: 'it has no Dense layers' };
  const outputPosition = densePositions[densePositions.length - 1];
  const hiddenLayers = densePositions.slice(0, -1).map((i) => layers[i]);
  if (hiddenLayers.length === 0) return { ok: false, reason: 'it has no hidden Dense layer before the output layer' };
  const skipped: string[] = [];
  const notes: string[] = [];

  const hidden: number[] = [];
  const layerActivations: Activation[] = [];
  const perLayer: { texts: string[]; group?: string }[] = [];
  for (const layer of hiddenLayers) {
    if (layer.units === undefined) return { ok: false, reason: `the units of ${where(layer)} can't be read${layer.unitsText ? `: '${layer.unitsText}'` : ''}` };
    if (layer.activation === undefined) return { ok: false, reason: `the activation '${layer.activationText ?? '?'}' of ${where(layer)} can't be read` };
    if (!isProbeActivation(layer.activation)) {
      return { ok: false, reason: `${where(layer)} uses ${layer.activation}, which the probe doesn't build (it builds ${ACTIVATIONS.join(', ')})` };
    }
    const kernel = kernelTexts(source, layer, where(layer));
    if ('error' in kernel) return { ok: false, reason: kernel.error };
    for (const n of kernel.notes) if (!notes.includes(n)) notes.push(n);
    hidden.push(layer.units);
    layerActivations.push(layer.activation);
    perLayer.push({ texts: kernel.texts, group: kernel.group });
  }
  const output = layers[outputPosition];
  const outputKernel = kernelTexts(source, output, where(output));
  if ('error' in outputKernel) return { ok: false, reason: outputKernel.error };
  notes.push(...outputKernel.notes);
  if (outputKernel.texts.length > 1) notes.push(`the output layer's initializer '${outputKernel.group ?? ''}' takes several values: probed with ${outputKernel.texts[0]}`);

  // Variants: the first variable with several values drives them; any other takes its first value.
  const driver = perLayer.find((p) => p.texts.length > 1)?.group;
  const variantCount = driver === undefined ? 1 : Math.min(MAX_VARIANTS, perLayer.find((p) => p.group === driver)?.texts.length ?? 1);
  for (const p of perLayer) {
    if (p.texts.length > 1 && p.group !== driver) notes.push(`'${p.group ?? ''}' takes several values: probed with ${p.texts[0]}`);
  }
  const variants = Array.from({ length: variantCount }, (_, v) => {
    const layerInitializers = perLayer.map((p) => (p.group === driver && driver !== undefined ? p.texts[v] : p.texts[0]));
    return { label: labelFor(layerInitializers), layerInitializers };
  });

  // What the probe leaves out, in model order.
  layers.forEach((layer, i) => {
    const line = lineNumber(source, layer.start);
    if (layer.role === 'other' || layer.role === 'preserve' || layer.role === 'reshape') skipped.push(`${layer.type} (line ${line})`);
    else if (layer.role === 'activation' && i > 0 && layers[i - 1].role !== 'dense' && layers[i - 1].activationFrom !== 'layer') skipped.push(`${layer.type} (line ${line})`);
    else if (i > outputPosition && layer.role !== 'activation') skipped.push(`${layer.type} (line ${line}), after the output layer`);
  });
  const first = hiddenLayers[0];
  const firstIndex = densePositions[0];
  const builtBefore = layers.slice(0, firstIndex).every((l) => l.role === 'input' || l.role === 'flatten' || l.role === 'preserve');
  const fanIn = first.fans[0]?.fanIn;
  let inputNote = '';
  if (!builtBefore) {
    notes.push(`the probe feeds MNIST's ${MNIST_INPUT} pixels straight into ${where(first)}`);
  } else if (fanIn === undefined) {
    notes.push(`no input shape written: MNIST's ${MNIST_INPUT} pixels assumed`);
  } else if (fanIn !== MNIST_INPUT) {
    inputNote = ` (model input ${fanIn}, probed on MNIST's ${MNIST_INPUT})`;
    notes.push(`the model's input has ${fanIn} values; the probe's is MNIST's ${MNIST_INPUT} pixels`);
  }
  if (output.units !== MNIST_CLASSES || output.activation !== 'softmax') {
    notes.push(`the output layer ${where(output)} is probed as Dense(${MNIST_CLASSES}, softmax) for MNIST's ten digits`);
  }

  const name = model.variable ?? model.functionName ?? 'Sequential model';
  const at = fileName ? ` (${fileName}:${lineNumber(source, model.start)})` : '';
  const title = `${name}${at}: ${MNIST_INPUT} → ${compressWidths(hidden, layerActivations)} → ${MNIST_CLASSES} softmax${inputNote}`;
  return {
    ok: true,
    plan: { title, hidden, layerActivations, variants, outputInitializer: outputKernel.texts[0], skipped: [...skipped, ...notes] },
  };
}

function requestFor(plan: ModelPlan, config: ProbeConfig, runId: string, label: string, layerInitializers: string[] | undefined, initializer: string): RunRequest {
  const request: RunRequest = {
    runId,
    label,
    initializer,
    layerActivations: plan.layerActivations,
    outputInitializer: plan.outputInitializer,
    config,
  };
  if (layerInitializers) request.layerInitializers = layerInitializers;
  return request;
}

function configFor(plan: ModelPlan, base: ProbeConfig): ProbeConfig {
  // Throws ConfigError (one line) when the model is beyond what a probe may allocate.
  return validateConfig({ ...base, hidden: [...plan.hidden], activation: plan.layerActivations[0] });
}

/** Probe this model: the model as written (one run per variant). */
export function modelRequests(plan: ModelPlan, base: ProbeConfig, idPrefix: string): PlannedComparison {
  const config = configFor(plan, base);
  const requests = plan.variants.map((v, i) => requestFor(plan, config, `${idPrefix}-${i + 1}`, v.label, v.layerInitializers, v.layerInitializers[0]));
  return { requests, title: `Probe ${plan.title}`, skipped: plan.skipped };
}

/** Compare initializers for this model: the seed notebook's four on every hidden layer, then the model's own. */
export function modelComparisonRequests(plan: ModelPlan, base: ProbeConfig, idPrefix: string): PlannedComparison {
  const config = configFor(plan, base);
  const requests: RunRequest[] = [];
  const seen = new Set<string>();
  for (const text of SEED_INITIALIZERS) {
    const parsed = parseInitializer(text);
    seen.add(plan.hidden.map(() => parsed.canonical).join('|'));
    requests.push(requestFor(plan, config, `${idPrefix}-${requests.length + 1}`, shortLabel(parsed), undefined, text));
  }
  for (const v of plan.variants) {
    const key = v.layerInitializers.map((t) => parseInitializer(t).canonical).join('|');
    if (seen.has(key)) continue;
    seen.add(key);
    requests.push(requestFor(plan, config, `${idPrefix}-${requests.length + 1}`, `model: ${v.label}`, v.layerInitializers, v.layerInitializers[0]));
  }
  return { requests, title: `Compare initializers for ${plan.title}`, skipped: plan.skipped };
}
