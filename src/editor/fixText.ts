/**
 * A recommended initializer written the way the file already writes its initializers: a Keras
 * string stays a string, a class call stays a class call with its module prefix and seed, tfjs
 * keeps its camelCase and `{}` config, PyTorch keeps its tensor argument.
 */
import { catalogEntry } from '../probe/initializers/catalog';
import type { CatalogId } from '../probe/initializers/catalog';
import type { InitializerSite, LayerDef } from './sourceModel';

/** PyTorch's spelling of the three recommendations (the catalog's torchDifference explains the rest). */
const TORCH_CALL: Partial<Record<CatalogId, { fn: string; args: string }>> = {
  he_normal: { fn: 'kaiming_normal_', args: ", nonlinearity='relu'" },
  he_uniform: { fn: 'kaiming_uniform_', args: ", nonlinearity='relu'" },
  glorot_normal: { fn: 'xavier_normal_', args: '' },
  glorot_uniform: { fn: 'xavier_uniform_', args: '' },
  lecun_normal: { fn: 'kaiming_normal_', args: ", nonlinearity='linear'" },
  lecun_uniform: { fn: 'kaiming_uniform_', args: ", nonlinearity='linear'" },
};

export function torchCall(id: CatalogId, prefix: string, tensor: string): string {
  const call = TORCH_CALL[id];
  const fn = call?.fn ?? `${catalogEntry(id).torchName ?? id}`;
  return `${prefix}${fn}(${tensor}${call?.args ?? ''})`;
}

/** The replacement for a written initializer, in the site's own style. */
export function replacementFor(site: InitializerSite, id: CatalogId): string {
  const entry = catalogEntry(id);
  const tfjsName = entry.tfjsName ?? id;
  switch (site.style) {
    case 'keras-string':
      return `${site.quote ?? "'"}${id}${site.quote ?? "'"}`;
    case 'tfjs-string':
      return `${site.quote ?? "'"}${tfjsName}${site.quote ?? "'"}`;
    case 'keras-call':
      return `${site.prefix}${entry.className}(${site.seedText !== undefined ? `seed=${site.seedText}` : ''})`;
    case 'tfjs-call':
      return `${site.prefix || 'tf.initializers.'}${tfjsName}({${site.seedText !== undefined ? `seed: ${site.seedText}` : ''}})`;
    case 'torch-call':
      return torchCall(id, site.prefix, site.tensor ?? 'w');
  }
}

export interface TextEdit {
  start: number;
  end: number;
  newText: string;
}

/** Adds the missing kernel initializer argument to a Keras or tfjs layer, or an nn.init line after a Linear. */
export function insertionFor(layer: LayerDef, id: CatalogId): TextEdit | undefined {
  if (layer.framework === 'torch') {
    const at = layer.torchInsert;
    if (!at) return undefined;
    return { start: at.offset, end: at.offset, newText: `\n${at.indent}${torchCall(id, at.prefix, `${at.module}.weight`)}` };
  }
  const at = layer.insertAt;
  if (!at) return undefined;
  const text = at.objectStyle ? `kernelInitializer: '${catalogEntry(id).tfjsName ?? id}'` : `kernel_initializer='${id}'`;
  return { start: at.offset, end: at.offset, newText: `${at.before}${text}${at.after}` };
}
