/**
 * Flags and their notes: one card per run × kind × note, with a badge for the initializer and
 * each layer it was raised on, the evidence and numbers of every flag, and the note beside it.
 * Ten "dead" flags of a 10-layer Zeros run read as one card with ten layer badges, not ten
 * copies of the same note.
 *
 * Beside them, what the engine left out of the verdicts on purpose (`layers[].scaleRole`: a
 * layer whose scale a normalization resets, a residual branch that starts at zero): one card per
 * role and set of layers, shared by the runs where the same layers have it, with each run's
 * evidence and the note, so "no flag" on such a layer reads as a verdict, not as silence.
 */
import { isRunDone } from '../../src/protocol/vocabulary';
import type { Flag, LayerScaleRole } from '../../src/protocol';
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

/** How a layer's role reads on its card's badge. */
const ROLE_LABEL: Record<LayerScaleRole['kind'], string> = {
  normalized: 'normalized',
  zero_branch: 'zero-started branch',
  inside_zero_branch: 'inside a zero-started branch',
};

/** One run's share of a role card: its layers with that role, each with the engine's evidence. */
interface RoleMember {
  run: PanelRun;
  color: string;
  layers: { name: string; evidence: string }[];
}

interface RoleGroup {
  kind: LayerScaleRole['kind'];
  note: string;
  /** The layers with this role, the same in every member run. */
  layerNames: string[];
  members: RoleMember[];
}

/**
 * One card per role × note × set of layers, shared by every run where the same layers have it: a
 * role comes from the model's structure, not its initializer, so five runs of a residual model
 * read as one card with five runs' evidence, not five copies of the same note.
 */
export function groupRoles(runs: readonly PanelRun[], colorOf: (runId: string) => string): RoleGroup[] {
  const groups = new Map<string, RoleGroup>();
  for (const run of runs) {
    const mine = new Map<string, { kind: LayerScaleRole['kind']; note: string; layers: RoleMember['layers'] }>();
    for (const layer of run.layers) {
      const role = layer.scaleRole;
      if (!role) continue;
      const at = `${role.kind}\0${role.note}`;
      const entry = mine.get(at) ?? { kind: role.kind, note: role.note, layers: [] };
      entry.layers.push({ name: layer.name, evidence: role.evidence });
      mine.set(at, entry);
    }
    for (const [at, entry] of mine) {
      const layerNames = entry.layers.map((l) => l.name);
      const key = `${at}\0${layerNames.join('\0')}`;
      let group = groups.get(key);
      if (!group) {
        group = { kind: entry.kind, note: entry.note, layerNames, members: [] };
        groups.set(key, group);
      }
      group.members.push({ run, color: colorOf(run.runId), layers: entry.layers });
    }
  }
  return [...groups.values()];
}

interface CardContent {
  /** The runs the card speaks for (one for a flag card), with their chart colours. */
  runs: { run: PanelRun; color: string }[];
  /** The card's key within its run, kept across re-renders (an open note stays open). */
  kind: string;
  badge: string;
  badgeClass: string;
  cardClass: string;
  note: string;
  layers: string[];
  items: HTMLElement[];
}

function card(c: CardContent, note: PanelNote | undefined): HTMLElement {
  const runLabels = c.runs.map(({ run, color }) => {
    const swatch = h('span', { class: 'run-swatch', 'aria-hidden': 'true' });
    swatch.style.backgroundColor = color;
    return h('span', { class: 'flag-run' }, swatch, run.initializer);
  });
  const header = h('header', { class: 'flag-header' },
    h('vscode-badge', { variant: 'default', class: c.badgeClass }, c.badge),
    ...runLabels,
    h('span', { class: 'flag-layers', 'aria-label': `layers: ${c.layers.join(', ')}` }, ...c.layers.map((name) => h('vscode-badge', { variant: 'counter', class: 'layer-badge' }, name))),
  );
  const evidence = h('ul', { class: 'evidence' }, ...c.items);
  const aside = h('aside', { class: 'note', 'aria-label': note ? `Note: ${note.title}` : 'Note' });
  if (note) {
    aside.append(h('p', { class: 'note-summary' }, h('strong', {}, note.title), h('br'), note.summary));
    const details = h('details', { class: 'note-body' }, h('summary', {}, 'Read the whole note'));
    details.append(noteFragment(note));
    aside.append(details);
    aside.dataset.note = note.id;
  } else {
    aside.append(h('p', { class: 'muted' }, `Note ${c.note} is not available.`));
  }
  return h('article', { class: c.cardClass, 'data-run': c.runs.map((r) => r.run.runId).join(' '), 'data-kind': c.kind },
    h('div', { class: 'flag-main' }, header, evidence),
    aside,
  );
}

function flagCard(group: FlagGroup, note: PanelNote | undefined): HTMLElement {
  const { run } = group;
  const flags = inLayerOrder(group.flags);
  return card({
    runs: [{ run, color: group.color }],
    kind: group.kind,
    badge: group.kind,
    badgeClass: `flag-kind kind-${group.kind}`,
    cardClass: `flag-card kind-${group.kind}`,
    note: group.note,
    layers: [...new Set(flags.map((f) => layerName(run, f.layer)))],
    items: flags.map((flag) => {
      const values = flagValuesText(flag);
      return h('li', {},
        h('strong', {}, `${layerName(run, flag.layer)}, step ${flag.step}: `),
        flag.evidence,
        ...(values ? [h('div', { class: 'values' }, values)] : []),
      );
    }),
  }, note);
}

function roleCard(group: RoleGroup, note: PanelNote | undefined): HTMLElement {
  // With several runs each line says whose evidence it is.
  const whose = (m: RoleMember): string => (group.members.length > 1 ? `${m.run.initializer} · ` : '');
  return card({
    runs: group.members.map((m) => ({ run: m.run, color: m.color })),
    kind: `role-${group.kind}`,
    badge: ROLE_LABEL[group.kind],
    badgeClass: 'role-kind',
    cardClass: `flag-card role-card role-${group.kind}`,
    note: group.note,
    layers: group.layerNames,
    items: group.members.flatMap((m) => m.layers.map((l) => h('li', {}, h('strong', {}, `${whose(m)}${l.name}, step 0: `), l.evidence))),
  }, note);
}

/** What each card was built from (its markup before it was shown), to tell an unchanged card from a new one. */
const builtFrom = new WeakMap<Element, string>();

/**
 * Renders into `host`; returns the note ids shown. A card whose content did not change is kept
 * as it is (the same element: an open note, the keyboard focus and the scroll position stay);
 * the host's children are touched only when a card was added, removed or changed.
 */
export function renderFlags(host: HTMLElement, runs: readonly PanelRun[], notes: ReadonlyMap<string, PanelNote>, colorOf: (runId: string) => string): string[] {
  const groups = groupFlags(runs, colorOf);
  const roles = groupRoles(runs, colorOf);
  const shown = new Map(Array.from(host.querySelectorAll<HTMLElement>(':scope > article.flag-card')).map((a) => [`${a.dataset.run}\0${a.dataset.kind}`, a]));
  const cards = [
    ...groups.map((g) => ({ key: `${g.run.runId}\0${g.kind}`, el: flagCard(g, notes.get(g.note)) })),
    ...roles.map((g) => ({ key: `${g.members.map((m) => m.run.runId).join(' ')}\0role-${g.kind}`, el: roleCard(g, notes.get(g.note)) })),
  ].map(({ key, el }) => {
    const markup = el.outerHTML;
    const old = shown.get(key);
    if (old && builtFrom.get(old) === markup) return old;
    builtFrom.set(el, markup);
    // A changed card keeps its note open if it was.
    if (old?.querySelector('details')?.open) el.querySelector('details')?.setAttribute('open', '');
    return el;
  });
  const none: HTMLElement[] = [];
  if (groups.length === 0) {
    const finished = runs.length > 0 && runs.every((r) => isRunDone(r.status));
    const judged = roles.length > 0 ? 'every layer judged' : 'every layer of every run';
    const text = finished ? `No flags: ${judged} stayed within the thresholds.` : 'No flags so far.';
    const current = host.firstElementChild;
    none.push(current instanceof HTMLParagraphElement && current.textContent === text ? current : h('p', { class: 'muted' }, text));
  }
  const next = [...none, ...cards];
  const children = Array.from(host.children);
  if (next.length !== children.length || next.some((el, i) => el !== children[i])) host.replaceChildren(...next);
  return [...new Set([...groups, ...roles].filter((g) => notes.has(g.note)).map((g) => g.note))];
}
