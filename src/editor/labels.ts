/** How the editor features name a layer and a place in a file, in hovers, warnings and titles. */
import type { LayerDef, SourceModel } from './sourceModel';
import { lineOf } from './lexer';

export function layerLabel(layer: LayerDef): string {
  if (layer.framework === 'torch') {
    const f = layer.fans[0];
    return `${layer.type}(${f?.fanIn ?? '?'}, ${f?.fanOut ?? '?'})`;
  }
  const units = layer.units ?? layer.unitsText ?? '?';
  const act = layer.activation ?? layer.activationText;
  return act && layer.activationFrom !== 'default' ? `${layer.type}(${units}, ${act})` : `${layer.type}(${units})`;
}

export function lineNumber(model: SourceModel, offset: number): number {
  return lineOf(model.lineStarts, offset) + 1;
}

/** Why the PyTorch CodeLens and commands refuse in Restricted Mode: one line, with the way out. */
export const RESTRICTED_REASON =
  "InitLens runs your PyTorch model's own code in your Python, which Restricted Mode does not allow. Trust this workspace (Manage Workspace Trust) to probe it.";
