/**
 * The third pass: containers — Keras/tfjs Sequential models (their `layers` list and the
 * `model.add(…)` calls that follow) and PyTorch nn.Sequential — each with the layers it holds,
 * in order and repeated as written. Fan flow (fanFlow.ts) then runs shapes through them.
 */
import { sequenceItems } from '../syntaxTree';
import type { CallNode, SyntaxNode } from '../syntaxTree';
import { containerKind } from '../layerKinds';
import type { ModelDef } from '../sourceModel';
import { argOf, configEntries } from './args';
import { layerFor, torchInsertAfter } from './layers';
import type { ScanState } from './state';

export function readContainers(s: ScanState): void {
  const adds = new Map<string, CallNode[]>();
  for (const call of s.calls) {
    if (call.path.length < 2 || call.path[call.path.length - 1] !== 'add') continue;
    const target = call.path.slice(0, -1).join('.');
    const list = adds.get(target);
    if (list) list.push(call);
    else adds.set(target, [call]);
  }
  for (const call of s.calls) {
    const kind = containerKind(call.path, s.python);
    if (!kind) continue;
    const target = s.scopes.assignedValues.get(call);
    if (kind === 'torch-sequential') {
      const items = call.args.filter((a) => a.key === undefined && !a.spread).map((a) => ({ node: a.value, repeat: 1 }));
      const ids: number[] = [];
      items.forEach((item, index) => {
        if (item.node.type !== 'call') return;
        const id = layerFor(s, item.node, true);
        if (id === undefined) return;
        ids.push(id);
        if (target) {
          s.torchVars.set(`${target}[${index}]`, id);
          const a = s.scopes.assignmentOf.get(call);
          if (a) s.layers[id].torchInsert = torchInsertAfter(s, a, `${target}[${index}]`, item.node);
        }
      });
      s.torchSequences.push(ids);
      continue;
    }
    const model: ModelDef = {
      id: s.models.length,
      framework: kind === 'tfjs-sequential' ? 'tfjs' : 'keras',
      start: call.start,
      end: call.close !== -1 ? s.stream.tokens[call.close].end : call.end,
      nameStart: call.nameStart,
      layers: [],
      functionName: s.scopes.enclosingFunction(call.start)?.name,
    };
    if (target) model.variable = target;
    const listNode = kind === 'tfjs-sequential' ? configEntries(call).get('layers') : argOf(call, 0, 'layers');
    if (listNode) {
      const resolved = s.scopes.resolve(listNode);
      const items = sequenceItems(resolved);
      if (items) model.layers = layersOf(s, items);
      else model.problem = `its layers come from ${quote(s.text.slice(listNode.start, listNode.end), 40)}, which InitLens can't read`;
    }
    if (target) {
      const until = (s.scopes.assignmentsTo.get(target) ?? []).find((a) => a.offset > call.start)?.offset ?? Infinity;
      for (const add of adds.get(target) ?? []) {
        if (add.start <= call.start || add.start >= until) continue;
        const arg = add.args[0]?.value;
        if (!arg) continue;
        const id = arg.type === 'call' ? layerFor(s, arg, true) : undefined;
        if (id === undefined) {
          model.problem ??= `model.add(${quote(s.text.slice(arg.start, arg.end), 30)}) is not a layer InitLens can read`;
          continue;
        }
        const repeat = s.scopes.repeatAt(add.start) / s.scopes.repeatAt(call.start);
        for (let r = 0; r < repeat; r++) model.layers.push(id);
      }
    }
    s.models.push(model);
  }
}

function layersOf(s: ScanState, items: { node: SyntaxNode; repeat: number }[]): number[] {
  const ids: number[] = [];
  for (const item of items) {
    if (item.node.type !== 'call') continue;
    const id = layerFor(s, item.node, true);
    if (id === undefined) continue;
    for (let r = 0; r < item.repeat; r++) ids.push(id);
  }
  return ids;
}

function quote(text: string, max: number): string {
  const oneLine = text.replace(/\s+/g, ' ').trim();
  return `'${oneLine.length > max ? `${oneLine.slice(0, max - 1)}…` : oneLine}'`;
}
