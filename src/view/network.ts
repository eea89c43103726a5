/**
 * How a network reads: the hidden widths as a person writes them, and the one-line description
 * the panel's title, its subtitle and the report share. Pure, from the probe config.
 */
import type { LayerInfo, NetworkLayer, ProbeConfig } from '../protocol';

/** [512, 256, 256, 256] → `512,256x3`: the spelling parseHidden (src/probe/config.ts) reads back. */
export function formatHidden(hidden: readonly number[]): string {
  const parts: string[] = [];
  let i = 0;
  while (i < hidden.length) {
    let j = i;
    while (j < hidden.length && hidden[j] === hidden[i]) j++;
    parts.push(j - i > 1 ? `${hidden[i]}x${j - i}` : String(hidden[i]));
    i = j;
  }
  return parts.join(',');
}

/** "784→256×10→10, tanh, 300 steps": the panel's title for a network. */
export function describeNetwork(config: Pick<ProbeConfig, 'hidden' | 'activation' | 'steps'>): string {
  const hidden = formatHidden(config.hidden).replace(/x/g, '×');
  return `784→${hidden}→10, ${config.activation}, ${config.steps} steps`;
}

/** What describeGraph reads of a run: every layer as built, and the measured ones (kernel sizes, activations). */
export interface GraphRunShape {
  network: readonly NetworkLayer[];
  layers: readonly Pick<LayerInfo, 'name' | 'activation' | 'kernelSize' | 'channels'>[];
}

const dims = (shape: readonly number[]): string => shape.join('×');

/**
 * A network as the layer graph built it, as the panel's header and the report say it:
 * `28×28×1 → conv2d 3×3×32 relu → max_pooling2d 13×13×32 → … → dense 10 softmax · 34,826 parameters`.
 * Convolutions show kernel × filters, dense layers their units, other layers their output shape
 * where it changes; layers that keep the shape (dropout, activations, normalization) just their name.
 */
export function describeGraph(run: GraphRunShape): string {
  const measured = new Map(run.layers.map((l) => [l.name, l]));
  const parts: string[] = [];
  let previous = '';
  for (const layer of run.network) {
    const shape = dims(layer.outputShape);
    const m = measured.get(layer.name);
    const act = m && m.activation !== 'linear' ? ` ${m.activation}` : '';
    if (layer.kind === 'input') parts.push(shape);
    else if (layer.kind === 'conv2d') {
      // channels = [in, out] as the engine measured them, whatever the layout.
      parts.push(m?.kernelSize && m.channels ? `${layer.name} ${dims(m.kernelSize)}×${m.channels[1]}${act}` : `${layer.name} ${shape}${act}`);
    } else if (layer.kind === 'dense') parts.push(`${layer.name} ${shape}${act}`);
    else parts.push(shape === previous ? layer.name : `${layer.name} ${shape}`);
    previous = shape;
  }
  const params = run.network.reduce((a, l) => a + l.params, 0);
  return `${parts.join(' → ')} · ${params.toLocaleString('en-US')} parameters`;
}
