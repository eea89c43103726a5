/**
 * A model in a source file → probe runs of that network as written: one run with its own
 * initializers, or one per candidate initializer (every kernel whose initializer the source
 * does not write takes the candidate; written ones and the output layer keep theirs). Pure.
 */
import type { GraphSpec, RunRequest } from '../protocol';
import type { ProbeConfig } from '../probe/config';
import { ConfigError } from '../probe/config';
import { sourceGraphs } from './modelGraph';
import type { SourceGraph } from './modelGraph';
import type { SourceLanguage } from './lexer';

export function languageOf(file: string): SourceLanguage | undefined {
  if (/\.py$/i.test(file)) return 'python';
  if (/\.(m|c)?[jt]sx?$/i.test(file)) return 'javascript';
  return undefined;
}

/** The model a `FILE[:NAME]` names; a ConfigError (one line) when there is none, several, or it can't be built. */
export function pickSourceGraph(text: string, language: SourceLanguage, file: string, name?: string): SourceGraph & { graph: GraphSpec } {
  const all = sourceGraphs(text, language);
  const candidates = name === undefined ? all : all.filter((g) => g.name === name);
  if (candidates.length === 0) {
    const found = all.map((g) => `${g.name} (line ${g.line})`).join(', ');
    throw new ConfigError('model', name === undefined ? `no model found in ${file} (InitLens reads Keras Sequential/functional, tf.sequential and PyTorch nn.Module models)` : `no model '${name}' in ${file}${found ? `; found ${found}` : ''}`);
  }
  if (candidates.length > 1) {
    throw new ConfigError('model', `${file} has ${candidates.length} models: ${candidates.map((g) => `${g.name} (line ${g.line})`).join(', ')}; name one as ${file}:NAME`);
  }
  const g = candidates[0];
  const where = `${g.name} (${file}:${g.line})`;
  if (g.problem) throw new ConfigError('model', `${where}: ${g.problem}`);
  if (g.unsupported.length > 0) throw new ConfigError('model', `${where} can't be probed as written: ${g.unsupported.join('; ')}`);
  if (!g.graph) throw new ConfigError('model', `${where}: no layers could be read`);
  return g as SourceGraph & { graph: GraphSpec };
}

/** The graph with `candidate` on every kernel the source leaves to the library default (or varies), except the output layer's. */
export function graphForCandidate(model: Pick<SourceGraph, 'writtenKernels'> & { graph: GraphSpec }): GraphSpec {
  const last = model.graph.layers[model.graph.layers.length - 1];
  const outputs = new Set([last.name, ...(last.kind === 'activation' ? (last.inputs ?? [model.graph.layers[model.graph.layers.length - 2].name]) : [])]);
  const layers = model.graph.layers.map((l) => {
    if ((l.kind !== 'dense' && l.kind !== 'conv2d') || model.writtenKernels.includes(l.name) || outputs.has(l.name)) return l;
    const copy = { ...l };
    delete copy.kernelInitializer;
    return copy;
  });
  return { ...model.graph, layers };
}

/** The initializer a run of the model as written is filed under: its first kernel's. */
export function firstKernelInitializer(graph: GraphSpec): string {
  const first = graph.layers.find((l) => l.kind === 'dense' || l.kind === 'conv2d');
  return first && 'kernelInitializer' in first && first.kernelInitializer ? first.kernelInitializer : 'glorot_uniform';
}

/** One run of `graph`. config.hidden keeps the dense widths before the output (the results document's description of the network). */
export function graphRequest(graph: GraphSpec, config: ProbeConfig, runId: string, label: string, initializer: string): RunRequest {
  const denseWidths = graph.layers.flatMap((l) => (l.kind === 'dense' ? [l.units] : [])).slice(0, -1);
  const cfg: ProbeConfig = { ...config, hidden: denseWidths.length > 0 ? denseWidths : config.hidden };
  return { runId, label, initializer, config: cfg, graph };
}

/** Runs for `initlens compare --model`: the model as written, or each candidate on it. Run ids `${idPrefix}1`, `${idPrefix}2`, … */
export function sourceModelRequests(model: SourceGraph & { graph: GraphSpec }, config: ProbeConfig, candidates: readonly string[] | undefined, idPrefix = 'run'): RunRequest[] {
  if (!candidates) return [graphRequest(model.graph, config, `${idPrefix}1`, `${model.name} as written`, firstKernelInitializer(model.graph))];
  const graph = graphForCandidate(model);
  return candidates.map((text, i) => graphRequest(graph, config, `${idPrefix}${i + 1}`, text, text));
}
