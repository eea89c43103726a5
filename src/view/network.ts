/**
 * How a network reads: the hidden widths as a person writes them, and the one-line description
 * the panel's title, its subtitle and the report share. Pure, from the probe config.
 */
import type { ProbeConfig } from '../protocol';

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
