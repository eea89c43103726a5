/** Reading a call's arguments, shared by the passes: positional or keyword, or a tfjs config object. */
import type { Arg, CallNode, SyntaxNode } from '../syntaxTree';

/** The argument at `position` or named `key` (position -1: keyword only). Runs for every layer: no allocation. */
export function argOf(call: CallNode, position: number, key: string): SyntaxNode | undefined {
  const args = call.args;
  for (let i = 0; i < args.length; i++) if (args[i].key === key) return args[i].value;
  if (position < 0 || position >= args.length) return undefined;
  for (let i = 0; i <= position; i++) {
    // Positional arguments end at the first keyword; past a *spread their positions are unknown.
    if (args[i].key !== undefined || args[i].spread) return undefined;
  }
  return args[position].value;
}

/** The entries of a tfjs config object `{units: 128, …}` passed as the first argument. */
export function configEntries(call: CallNode): Map<string, SyntaxNode> {
  const first = call.args[0]?.value;
  const map = new Map<string, SyntaxNode>();
  if (first && first.type === 'object') {
    for (const item of first.items) if (item.key !== undefined) map.set(item.key, item.value);
  }
  return map;
}

/** A tfjs initializer's `{seed: …}` entry. */
export function configSeed(call: CallNode): Arg | undefined {
  const first = call.args[0]?.value;
  if (!first || first.type !== 'object') return undefined;
  return first.items.find((i) => i.key === 'seed');
}
