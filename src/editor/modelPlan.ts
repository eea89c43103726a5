/**
 * "Probe this model" / "Compare initializers for this model": each model of a document as the
 * layer graph modelGraph.ts reads from its source — the network as written, convolutions,
 * pooling, normalization and dropout included — or the one-line reason it can't be built (every
 * layer the probe can't build, with its line); and the runs each lens starts. Pure.
 */
import { z } from 'zod';
import { graphSchema } from '../protocol';
import type { GraphLayer, GraphSpec, RunRequest } from '../protocol';
import type { ProbeConfig } from '../probe/config';
import { parseInitializer } from '../probe/initializers/parse';
import { planGraph } from '../probe/graph/shapes';
import { SEED_INITIALIZERS_WRITTEN } from '../protocol';
import type { SourceLanguage } from './lexer';
import { sourceGraphs } from './modelGraph';
import type { SourceGraph } from './modelGraph';
import type { SourceModel } from './sourceModel';
import { firstKernelInitializer, graphForCandidate, graphRequest } from './modelRequests';
import { shortLabel } from './requestText';
import { firstLine } from '../protocol/parse';
import type { PlannedComparison } from './initializerRequests';

/** The seed notebook's four initializers, in its order. */
export const SEED_INITIALIZERS = SEED_INITIALIZERS_WRITTEN;

const MAX_VARIANTS = 8;

export const modelPlanSchema = z.object({
  /** The variable, function or class that names the model. */
  name: z.string().min(1).max(200),
  /** `cnn (mnist_cnn.py:8)` */
  title: z.string().max(500),
  graph: graphSchema,
  /** Layers whose kernel initializer the source writes: compare keeps them. */
  writtenKernels: z.array(z.string().max(200)).max(1000),
  /**
   * The model's own initializers: one variant, or one per value of a kernel variable the file
   * gives several (a function parameter called with several initializers: the seed notebook).
   * `kernels` maps a layer name to its initializer text.
   */
  variants: z
    .array(z.object({ label: z.string().max(200), kernels: z.record(z.string().min(1).max(4000)) }))
    .min(1)
    .max(MAX_VARIANTS),
  /** What the panel says beside the runs: assumed input shapes, variables probed with one value. */
  notes: z.array(z.string().max(500)).max(200),
});
export type ModelPlan = z.infer<typeof modelPlanSchema>;

/** A lens above one model: its plan, or why it can't be probed as written. */
export interface ModelLens {
  /** 0-based line of the model's definition. */
  line: number;
  name: string;
  plan?: ModelPlan;
  /** One line: the first reason (and how many more), for the lens title. */
  problem?: string;
  /** Every reason, for the tooltip and the command's refusal. */
  reasons?: string[];
  /** The network as written, one line per layer run together: the lens' tooltip. */
  summary: string;
}

const pair = (p: readonly number[]): string => (p[0] === p[1] ? `${p[0]}` : p.join('×'));

/** `conv2d 32 3×3 relu`, `max_pooling2d 2×2`: a layer as written, for the lens tooltip. */
export function layerText(l: GraphLayer): string {
  switch (l.kind) {
    case 'input':
      return `input ${l.shape.join('×')}`;
    case 'dense':
      return `${l.name} ${l.units}${l.activation === 'linear' ? '' : ` ${l.activation}`}`;
    case 'conv2d':
      return `${l.name} ${l.filters} ${l.kernelSize.join('×')}${l.strides[0] === 1 && l.strides[1] === 1 ? '' : ` /${pair(l.strides)}`}${l.activation === 'linear' ? '' : ` ${l.activation}`}`;
    case 'max_pooling2d':
    case 'average_pooling2d':
      return `${l.name} ${l.poolSize.join('×')}`;
    case 'dropout':
      return `${l.name} ${l.rate}`;
    case 'activation':
      return l.name === l.activation ? l.name : `${l.name} ${l.activation}`;
    case 'reshape':
      return `${l.name} ${l.targetShape.join('×')}`;
    default:
      return l.name;
  }
}

export function describeSpec(graph: GraphSpec): string {
  return graph.layers.map(layerText).join(' → ');
}

function variantsOf(model: SourceGraph, notes: string[]): ModelPlan['variants'] {
  const choices = model.kernelChoices ?? [];
  if (choices.length === 0) return [{ label: 'as written', kernels: {} }];
  // The first variable the file varies drives the variants; any other takes its first value (said in the notes).
  const driver = choices[0].variable;
  const count = Math.min(MAX_VARIANTS, choices[0].texts.length);
  for (const c of choices) if (c.variable !== driver) notes.push(`'${c.variable}' takes several values: probed with ${c.texts[0]}`);
  if (choices[0].texts.length > MAX_VARIANTS) notes.push(`'${driver}' takes ${choices[0].texts.length} values: the first ${MAX_VARIANTS} are probed`);
  return Array.from({ length: count }, (_, v) => {
    const kernels: Record<string, string> = {};
    for (const c of choices) kernels[c.layer] = c.variable === driver ? (c.texts[v] ?? c.texts[0]) : c.texts[0];
    const label = [...new Set(choices.filter((c) => c.variable === driver).map((c) => shortLabel(parseInitializer(kernels[c.layer]))))].join(' / ');
    return { label, kernels };
  });
}

/** Every model of a document, each with its plan or the reasons it can't be probed as written. */
export function modelLenses(text: string, language: SourceLanguage, fileName: string, scanned?: SourceModel): ModelLens[] {
  return sourceGraphs(text, language, scanned).map((model) => {
    const line = model.line - 1;
    const title = `${model.name} (${fileName}:${model.line})`;
    const reasons = model.problem ? [model.problem] : model.unsupported.length > 0 ? model.unsupported : model.graph ? shapeProblems(model.graph) : ['no layers could be read'];
    if (reasons.length > 0 || !model.graph) {
      const problem = reasons.length > 1 ? `${reasons[0]} (and ${reasons.length - 1} more)` : reasons[0];
      return { line, name: model.name, problem, reasons, summary: `${title} can't be probed as written:\n${reasons.map((r) => `• ${r}`).join('\n')}` };
    }
    const notes = [...model.notes];
    const variants = variantsOf(model, notes);
    const plan: ModelPlan = { name: model.name, title, graph: model.graph, writtenKernels: model.writtenKernels, variants, notes };
    return { line, name: model.name, plan, summary: [`${title}: ${describeSpec(model.graph)}`, ...notes.map((n) => `• ${n}`)].join('\n') };
  });
}

/** What the probe would refuse once it builds the graph (shapes, the output layer), with the layer and its line; [] when it builds. */
function shapeProblems(graph: GraphSpec): string[] {
  try {
    planGraph(graph);
    return [];
  } catch (err) {
    return [firstLine(err)];
  }
}

/** The graph with a variant's kernels in place. */
function withKernels(graph: GraphSpec, kernels: Record<string, string>): GraphSpec {
  if (Object.keys(kernels).length === 0) return graph;
  return { ...graph, layers: graph.layers.map((l) => ((l.kind === 'dense' || l.kind === 'conv2d') && kernels[l.name] ? { ...l, kernelInitializer: kernels[l.name] } : l)) };
}

/** Each kernel's initializer as the probe will read it (`fallback` where the graph names none): what makes two runs the same. */
function kernelKey(graph: GraphSpec, fallback: string): string {
  return graph.layers
    .flatMap((l) => (l.kind === 'dense' || l.kind === 'conv2d' ? [parseInitializer(l.kernelInitializer ?? fallback).canonical] : []))
    .join('|');
}

/**
 * The written kernel initializers compare would keep while others take the candidate, when the
 * model has both: then the person chooses between keeping them and replacing all. [] otherwise.
 */
export function keptWrittenKernels(plan: ModelPlan): string[] {
  const isKernel = (l: GraphLayer): l is Extract<GraphLayer, { kind: 'dense' | 'conv2d' }> => l.kind === 'dense' || l.kind === 'conv2d';
  const freed = (g: GraphSpec): Set<string> => new Set(g.layers.filter((l) => isKernel(l) && !l.kernelInitializer).map((l) => l.name));
  if (freed(graphForCandidate(plan)).size === 0) return [];
  // What "replace all" would free beyond the defaults: the written kernels, the output layer aside.
  const all = freed(graphForCandidate({ graph: plan.graph, writtenKernels: [] }));
  return plan.graph.layers.filter((l) => isKernel(l) && plan.writtenKernels.includes(l.name) && all.has(l.name)).map((l) => `${l.name}: ${isKernel(l) ? (l.kernelInitializer ?? '') : ''}`);
}

/** Probe this model: the network as written, one run (or one per value of the kernel variable the file varies). */
export function modelRequests(plan: ModelPlan, base: ProbeConfig, idPrefix: string): PlannedComparison {
  const requests = plan.variants.map((v, i) => {
    const graph = withKernels(plan.graph, v.kernels);
    const label = plan.variants.length > 1 ? v.label : `${plan.name} as written`;
    return graphRequest(graph, base, `${idPrefix}-${i + 1}`, label, firstKernelInitializer(graph));
  });
  return { requests, title: `Probe ${plan.title} as written`, skipped: plan.notes };
}

/**
 * Compare initializers for this model: the seed notebook's four on every kernel the source leaves
 * to the library default (or varies), then the model as written; a run equal to an earlier one is
 * not run twice.
 */
export function modelComparisonRequests(plan: ModelPlan, base: ProbeConfig, idPrefix: string, options: { replaceAll?: boolean } = {}): PlannedComparison {
  const requests: RunRequest[] = [];
  const seen = new Set<string>();
  const notes = [...plan.notes];
  let candidateGraph = graphForCandidate(plan);
  const open = (g: GraphSpec): boolean => g.layers.some((l) => (l.kind === 'dense' || l.kind === 'conv2d') && !l.kernelInitializer);
  if (options.replaceAll) {
    candidateGraph = graphForCandidate({ graph: plan.graph, writtenKernels: [] });
    notes.push(`each candidate replaces every kernel initializer of ${plan.name}, written ones too (the output layer keeps its own)`);
  } else if (!open(candidateGraph)) {
    // Every kernel's initializer is written: comparing would rerun the model four times. Replace them all.
    candidateGraph = graphForCandidate({ graph: plan.graph, writtenKernels: [] });
    if (open(candidateGraph)) notes.push(`every kernel initializer of ${plan.name} is written: each candidate replaces them all (the output layer keeps its own)`);
  }
  for (const text of SEED_INITIALIZERS) {
    const key = kernelKey(candidateGraph, text);
    if (seen.has(key)) continue;
    seen.add(key);
    requests.push(graphRequest(candidateGraph, base, `${idPrefix}-${requests.length + 1}`, shortLabel(parseInitializer(text)), text));
  }
  for (const v of plan.variants) {
    const graph = withKernels(plan.graph, v.kernels);
    const key = kernelKey(graph, firstKernelInitializer(graph));
    if (seen.has(key)) continue;
    seen.add(key);
    const label = plan.variants.length > 1 ? `model: ${v.label}` : `${plan.name} as written`;
    requests.push(graphRequest(graph, base, `${idPrefix}-${requests.length + 1}`, label, firstKernelInitializer(graph)));
  }
  return { requests, title: `Compare initializers for ${plan.title}`, skipped: notes };
}
