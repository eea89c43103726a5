/**
 * The last passes: kernel links — each Dense layer's kernel to the sites it can hold (through
 * variables, function parameters and their callers, PyTorch `nn.init.x_(self.fc.weight)`), then
 * the layers to each other: next Dense, output layer, and the length of each ReLU run.
 */
import { RELU_FAMILY } from '../layerKinds';
import type { SyntaxNode } from '../syntaxTree';
import { argOf } from './args';
import { isInitializerName, siteFor } from './sites';
import type { ScanState } from './state';

export function resolveKernels(s: ScanState): void {
  for (const layer of s.layers) {
    if (layer.role !== 'dense') continue;
    const k = layer.kernel;
    if (k.kind === 'site') {
      s.sites[k.site].layers.push(layer.id);
    } else if (k.kind === 'variable') {
      k.sites = [...new Set(sitesForVariable(s, k.name, layer.start))];
      for (const id of k.sites) {
        const site = s.sites[id];
        if (site.role !== 'bias') site.role = 'kernel';
        if (!site.layers.includes(layer.id)) site.layers.push(layer.id);
      }
    }
  }
  // PyTorch: nn.init.x_(self.fc1.weight) sets fc1's kernel; the last such call wins.
  for (const site of s.sites) {
    if (site.style !== 'torch-call' || site.tensor === undefined) continue;
    const tensor = site.tensor.replace(/\s+/g, '').replace(/\.data$/, '');
    const m = /^(.*)\.weight$/.exec(tensor);
    if (!m) continue;
    const id = s.torchVars.get(m[1]);
    if (id === undefined || s.layers[id].role !== 'dense') continue;
    s.layers[id].kernel = { kind: 'site', site: site.id };
    site.role = 'kernel';
    if (!site.layers.includes(id)) site.layers.push(id);
  }
}

/** Initializer sites a variable can hold at `offset`: an assignment, or callers' arguments. */
function sitesForVariable(s: ScanState, name: string, offset: number, depth = 0): number[] {
  if (depth > 3) return [];
  const scope = s.scopes.enclosingFunction(offset);
  const assigned = s.scopes.assignmentBefore(name, offset);
  const paramIndex = scope ? scope.params.indexOf(name) : -1;
  if (scope && paramIndex !== -1 && !(assigned && assigned.offset > scope.start)) {
    const sites: number[] = [];
    for (const call of s.calls) {
      const last = call.path[call.path.length - 1];
      if (last !== scope.name || call.start === scope.start) continue;
      if (call.start > scope.start && call.start < scope.end && call.path.length === 1) continue; // recursion
      const shift = scope.method && call.path.length > 1 ? 1 : 0;
      const node = argOf(call, paramIndex - shift, name);
      if (!node) continue;
      sites.push(...sitesForNode(s, node, depth + 1));
    }
    return sites;
  }
  if (assigned) return sitesForNode(s, assigned.value, depth + 1);
  return [];
}

function sitesForNode(s: ScanState, node: SyntaxNode, depth: number): number[] {
  if (node.type === 'name') {
    if (isInitializerName(s, node)) {
      const id = siteFor(s, node, 'kernel');
      return id === undefined ? [] : [id];
    }
    return sitesForVariable(s, node.path.join('.'), node.start, depth);
  }
  if (node.type === 'string' || node.type === 'call') {
    const id = siteFor(s, node, 'kernel');
    return id === undefined ? [] : [id];
  }
  return [];
}

export function linkDense(s: ScanState): void {
  const layers = s.layers;
  for (const layer of layers) {
    if (layer.prevDense !== undefined && layer.prevDense !== layer.id) {
      const prev = layers[layer.prevDense];
      if (!prev.nextDense.includes(layer.id)) prev.nextDense.push(layer.id);
    }
  }
  for (const layer of layers) {
    if (layer.role !== 'dense') continue;
    const lastInChain = layer.nextDense.length === 0 && layer.inContainer && !s.feedsMerge.has(layer.id);
    layer.isOutput = layer.activation === 'softmax' || (lastInChain && layer.prevDense !== undefined && layer.prevDense !== layer.id);
  }
  for (const model of s.models) {
    const dense = model.layers.filter((id) => layers[id].role === 'dense');
    const last = dense[dense.length - 1];
    if (last !== undefined && dense.filter((id) => id === last).length === 1) layers[last].isOutput = true;
  }
  // Functional chains: from each Dense nothing follows, back along prevDense.
  const sequenced = new Set(s.denseSequences.flat());
  for (const layer of layers) {
    if (layer.role !== 'dense' || layer.framework === 'torch' || layer.nextDense.length > 0 || layer.prevDense === undefined) continue;
    if (sequenced.has(layer.id)) continue;
    const chain: number[] = [];
    const seen = new Set<number>();
    for (let id: number | undefined = layer.id; id !== undefined && !seen.has(id); id = layers[id].prevDense) {
      seen.add(id);
      chain.unshift(id);
    }
    s.denseSequences.push(chain);
  }
  for (const seq of s.denseSequences) {
    let runStart = 0;
    for (let i = 0; i <= seq.length; i++) {
      const layer = i < seq.length ? layers[seq[i]] : undefined;
      const inRun = layer !== undefined && !layer.isOutput && layer.activation !== undefined && RELU_FAMILY.includes(layer.activation);
      if (inRun) continue;
      const length = i - runStart;
      for (let j = runStart; j < i; j++) layers[seq[j]].reluRun = Math.max(layers[seq[j]].reluRun, length);
      runStart = i + 1;
    }
  }
}
