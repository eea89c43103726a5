/**
 * Flags and their notes: one card per run × kind × note, with a badge for the initializer and
 * each layer it was raised on, the evidence and numbers of every flag, and the note beside it.
 * Ten "dead" flags of a 10-layer Zeros run read as one card with ten layer badges, not ten
 * copies of the same note.
 */
import { isRunDone } from '../../src/protocol/vocabulary';
import type { Flag } from '../../src/protocol';
import type { PanelNote, PanelRun } from '../../src/protocol/panel';
import { flagValuesText, inLayerOrder, layerName } from '../../src/view/format';
import { h } from '../shared/dom';
import { noteFragment } from './notes';

interface FlagGroup {
  run: PanelRun;
  color: string;
  kind: Flag['kind'];
  note: string;
  flags: Flag[];
}

export function groupFlags(runs: readonly PanelRun[], colorOf: (runId: string) => string): FlagGroup[] {
  const groups = new Map<string, FlagGroup>();
  for (const run of runs) {
    for (const flag of run.flags) {
      const key = `${run.runId}\0${flag.kind}\0${flag.note}`;
      let group = groups.get(key);
      if (!group) {
        group = { run, color: colorOf(run.runId), kind: flag.kind, note: flag.note, flags: [] };
        groups.set(key, group);
      }
      group.flags.push(flag);
    }
  }
  return [...groups.values()];
}

function flagCard(group: FlagGroup, note: PanelNote | undefined): HTMLElement {
  const { run } = group;
  const flags = inLayerOrder(group.flags);
  const layers = [...new Set(flags.map((f) => layerName(run, f.layer)))];
  const swatch = h('span', { class: 'run-swatch', 'aria-hidden': 'true' });
  swatch.style.backgroundColor = group.color;
  const header = h('header', { class: 'flag-header' },
    h('vscode-badge', { variant: 'default', class: `flag-kind kind-${group.kind}` }, group.kind),
    h('span', { class: 'flag-run' }, swatch, run.initializer),
    h('span', { class: 'flag-layers', 'aria-label': `layers: ${layers.join(', ')}` }, ...layers.map((name) => h('vscode-badge', { variant: 'counter', class: 'layer-badge' }, name))),
  );
  const evidence = h('ul', { class: 'evidence' }, ...flags.map((flag) => {
      const values = flagValuesText(flag);
      return h('li', {},
        h('strong', {}, `${layerName(run, flag.layer)}, step ${flag.step}: `),
        flag.evidence,
        ...(values ? [h('div', { class: 'values' }, values)] : []),
      );
    }));
  const aside = h('aside', { class: 'note', 'aria-label': note ? `Note: ${note.title}` : 'Note' });
  if (note) {
    aside.append(h('p', { class: 'note-summary' }, h('strong', {}, note.title), h('br'), note.summary));
    const details = h('details', { class: 'note-body' }, h('summary', {}, 'Read the whole note'));
    details.append(noteFragment(note));
    aside.append(details);
    aside.dataset.note = note.id;
  } else {
    aside.append(h('p', { class: 'muted' }, `Note ${group.note} is not available.`));
  }
  return h('article', { class: `flag-card kind-${group.kind}`, 'data-run': run.runId, 'data-kind': group.kind },
    h('div', { class: 'flag-main' }, header, evidence),
    aside,
  );
}

/** Renders into `host`; returns the note ids shown. Open details survive re-renders by key. */
export function renderFlags(host: HTMLElement, runs: readonly PanelRun[], notes: ReadonlyMap<string, PanelNote>, colorOf: (runId: string) => string): string[] {
  const groups = groupFlags(runs, colorOf);
  const open = new Set(Array.from(host.querySelectorAll<HTMLElement>('article.flag-card')).filter((a) => a.querySelector('details')?.open).map((a) => `${a.dataset.run}\0${a.dataset.kind}`));
  if (groups.length === 0) {
    const finished = runs.length > 0 && runs.every((r) => isRunDone(r.status));
    host.replaceChildren(h('p', { class: 'muted' }, finished ? 'No flags: every layer of every run stayed within the thresholds.' : 'No flags so far.'));
    return [];
  }
  const cards = groups.map((g) => {
    const card = flagCard(g, notes.get(g.note));
    if (open.has(`${g.run.runId}\0${g.kind}`)) card.querySelector('details')?.setAttribute('open', '');
    return card;
  });
  host.replaceChildren(...cards);
  return [...new Set(groups.filter((g) => notes.has(g.note)).map((g) => g.note))];
}
