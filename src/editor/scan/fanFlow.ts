/**
 * The fourth pass: fan flow — shapes run through every container and functional chain, so each
 * Dense layer learns its fan-in (one entry per distinct use), the Dense before it, and an
 * activation written after it (an Activation layer, a PyTorch nn.ReLU, a call in forward()).
 * Reads the containers (containers.ts); leaves denseSequences, feedsMerge and torchVars for
 * kernel links (kernelLinks.ts).
 */
import { torchActivationFunction } from '../layerKinds';
import { product } from '../scopes';
import type { Fans, LayerDef } from '../sourceModel';
import { torchInsertAfter } from './layers';
import type { ScanState } from './state';

type Shape = (number | undefined)[] | undefined;

export function flowFans(s: ScanState): void {
  // Sequential models: shapes flow layer to layer.
  for (const model of s.models) {
    flowSequence(s, model.layers);
    s.denseSequences.push(model.layers.filter((id) => s.layers[id].role === 'dense'));
  }
  for (const ids of s.torchSequences) flowTorch(s, ids);

  // PyTorch Module classes: Linear layers held in attributes, activations from forward().
  const torchVars = s.torchVars;
  const torchActs = new Map<string, string>();
  for (const a of s.python ? s.scopes.assignments : []) {
    if (a.value.type !== 'call') continue;
    const id = s.layerByCall.get(a.value);
    if (id === undefined || s.layers[id].framework !== 'torch') continue;
    const layer = s.layers[id];
    torchVars.set(a.target, id);
    if (layer.role === 'dense') layer.torchInsert = torchInsertAfter(s, a, a.target, a.value);
    if (layer.role === 'activation' && layer.activation) torchActs.set(a.target, layer.activation);
  }
  for (const cls of s.scopes.classes) {
    const ids = [...torchVars.entries()]
      .filter(([target, id]) => target.startsWith('self.') && !target.includes('[') && s.layers[id].framework === 'torch' && s.layers[id].role === 'dense' && cls.start < s.layers[id].start && s.layers[id].start < cls.end)
      .map(([, id]) => id)
      .sort((x, y) => s.layers[x].start - s.layers[y].start);
    if (ids.length > 0) flowTorch(s, ids);
  }
  for (const call of s.python && torchVars.size > 0 ? s.calls : []) {
    const act = torchActivationFunction(call.path) ?? (torchActs.size > 0 ? torchActs.get(call.path.join('.')) : undefined);
    if (!act) continue;
    const inner = call.args[0]?.value;
    if (!inner || inner.type !== 'call') continue;
    const id = torchVars.get(inner.path.join('.'));
    if (id === undefined) continue;
    const layer = s.layers[id];
    if (layer.role === 'dense' && layer.activationFrom !== 'layer') {
      layer.activation = act;
      layer.activationFrom = 'forward';
    }
  }

  flowFunctional(s);
}

/** Keras/tfjs Sequential: fans from the running shape; activation layers fold into the Dense before. */
function flowSequence(s: ScanState, ids: readonly number[]): void {
  let shape: Shape;
  let prevDense: number | undefined;
  let lastCounted: number | undefined;
  ids.forEach((id, position) => {
    const layer = s.layers[id];
    layer.inContainer = true;
    if (layer.declaredShape && (position === 0 || layer.role === 'input')) shape = layer.declaredShape;
    const result = applyLayer(s, layer, shape, prevDense, lastCounted);
    shape = result.shape;
    prevDense = result.prevDense;
    lastCounted = result.lastCounted;
  });
}

/**
 * One layer applied to an input of `shape`: records its fans, links it to the Dense before it,
 * and returns the output shape. `lastCounted` is the last layer that wasn't dropout-like.
 */
function applyLayer(
  s: ScanState,
  layer: LayerDef,
  shape: Shape,
  prevDense: number | undefined,
  lastCounted: number | undefined,
): { shape: Shape; prevDense: number | undefined; lastCounted: number | undefined } {
  switch (layer.role) {
    case 'input':
      return { shape: layer.declaredShape, prevDense: undefined, lastCounted: layer.id };
    case 'flatten': {
      const p = shape ? product(shape) : undefined;
      return { shape: p === undefined ? undefined : [p], prevDense, lastCounted: layer.id };
    }
    case 'reshape':
      return { shape: layer.units === undefined ? undefined : [layer.units], prevDense, lastCounted: layer.id };
    case 'dense': {
      const fanIn = shape ? shape[shape.length - 1] : undefined;
      addFans(layer, { fanIn, fanOut: layer.units });
      if (prevDense !== undefined && prevDense !== layer.id) layer.prevDense ??= prevDense;
      const out = layer.units === undefined ? undefined : shape ? [...shape.slice(0, -1), layer.units] : [layer.units];
      return { shape: out, prevDense: layer.id, lastCounted: layer.id };
    }
    case 'activation': {
      const before = lastCounted !== undefined ? s.layers[lastCounted] : undefined;
      if (before && before.role === 'dense' && (before.activationFrom === 'default' || before.activation === 'linear') && layer.activation) {
        before.activation = layer.activation;
        before.activationFrom = 'layer';
      }
      return { shape, prevDense, lastCounted: layer.id };
    }
    case 'preserve':
      return { shape, prevDense, lastCounted };
    case 'other':
      return { shape: undefined, prevDense: undefined, lastCounted: layer.id };
  }
}

function addFans(layer: LayerDef, fans: Fans): void {
  if (!layer.fans.some((f) => f.fanIn === fans.fanIn && f.fanOut === fans.fanOut)) layer.fans.push(fans);
}

function flowTorch(s: ScanState, ids: readonly number[]): void {
  s.denseSequences.push(ids.filter((id) => s.layers[id].role === 'dense'));
  let prevDense: number | undefined;
  let lastCounted: number | undefined;
  for (const id of ids) {
    const layer = s.layers[id];
    layer.inContainer = true;
    if (layer.role === 'dense') {
      if (prevDense !== undefined) layer.prevDense ??= prevDense;
      prevDense = id;
      lastCounted = id;
    } else if (layer.role === 'activation') {
      const before = lastCounted !== undefined ? s.layers[lastCounted] : undefined;
      if (before && before.role === 'dense' && layer.activation) {
        before.activation = layer.activation;
        before.activationFrom = 'layer';
      }
      lastCounted = id;
    } else if (layer.role === 'other') {
      prevDense = undefined;
      lastCounted = id;
    }
  }
}

/** Functional API: `x = layers.Dense(64)(x)`; shapes travel through variables in document order. */
function flowFunctional(s: ScanState): void {
  const shapes = new Map<string, Shape>();
  const producers = new Map<string, { prevDense?: number; lastCounted?: number }>();
  const applied = s.calls.filter((c) => s.layerByCall.has(c));
  for (const call of applied) {
    const id = s.layerByCall.get(call);
    const target = s.scopes.assignedValues.get(call);
    if (id === undefined) continue;
    const layer = s.layers[id];
    if (layer.framework === 'torch') continue;
    if (layer.role === 'input' && target && !layer.inContainer) {
      shapes.set(target, layer.declaredShape);
      producers.set(target, {});
      continue;
    }
    if (!call.applied) {
      // A layer outside any model: only what it declares itself.
      if (!layer.inContainer && layer.role === 'dense' && layer.fans.length === 0) {
        addFans(layer, { fanIn: layer.declaredShape?.[layer.declaredShape.length - 1], fanOut: layer.units });
      }
      continue;
    }
    const input = call.applied[0]?.value;
    const inputName = input?.type === 'name' ? input.path.join('.') : undefined;
    // A merge (Add()([x, h]), Concatenate()([a, b])) reads every listed tensor: the Dense
    // that produced each one feeds on into the network and is not its output layer.
    if (input && (input.type === 'list' || input.type === 'tuple')) {
      for (const item of input.items) {
        const name = item.value.type === 'name' ? item.value.path.join('.') : undefined;
        const dense = name !== undefined ? producers.get(name)?.prevDense : undefined;
        if (dense !== undefined) s.feedsMerge.add(dense);
      }
    }
    const shape = inputName !== undefined && shapes.has(inputName) ? shapes.get(inputName) : layer.declaredShape;
    const from = inputName !== undefined ? producers.get(inputName) : undefined;
    if (inputName !== undefined && shapes.has(inputName)) layer.inContainer = true;
    const result = applyLayer(s, layer, shape, from?.prevDense, from?.lastCounted);
    if (target) {
      shapes.set(target, result.shape);
      producers.set(target, { prevDense: result.prevDense, lastCounted: result.lastCounted });
    }
  }
}
