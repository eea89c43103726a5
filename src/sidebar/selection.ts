/**
 * Which initializers the next comparison runs: catalog entries checked in the sidebar plus
 * written forms a person added, and the RunRequests Compare builds from them. Pure: the host
 * keeps the selection in workspaceState and feeds it through here.
 */
import { validateConfig } from '../probe/config';
import type { ProbeConfig } from '../probe/config';
import { INITIALIZER_CATALOG } from '../probe/initializers/catalog';
import { parseInitializer } from '../probe/initializers/parse';
import { SEED_INITIALIZER_IDS } from '../protocol';
import type { RunRequest } from '../protocol';
import { buildRequests as panelRequests, networkTitle, newRunId } from '../compare/requests';
import { firstLine } from '../protocol/parse';

/** The seed notebook's four. */
export const DEFAULT_SELECTED: readonly string[] = SEED_INITIALIZER_IDS;

const CATALOG_IDS: readonly string[] = INITIALIZER_CATALOG.map((e) => e.id);

/** Longer than anyone writes an initializer; keeps stored state small. */
const MAX_TEXT = 400;
const MAX_CUSTOM = 32;

export interface Selection {
  /** Checked catalog ids and checked custom texts. */
  selected: string[];
  /** Written initializers added through the free-text field, in the order added. */
  custom: string[];
}

export function defaultSelection(): Selection {
  return { selected: [...DEFAULT_SELECTED], custom: [] };
}

const isText = (v: unknown): v is string => typeof v === 'string' && v.trim() !== '' && v.length <= MAX_TEXT;

/** A stored selection, cleaned: storage outlives versions of the catalog and may hold anything. */
export function normalizeSelection(raw: unknown): Selection {
  if (typeof raw !== 'object' || raw === null) return defaultSelection();
  const r = raw as { selected?: unknown; custom?: unknown };
  const custom = Array.isArray(r.custom) ? [...new Set(r.custom.filter(isText).map((t) => t.trim()))].slice(0, MAX_CUSTOM) : [];
  const known = new Set([...CATALOG_IDS, ...custom]);
  const selected = Array.isArray(r.selected) ? [...new Set(r.selected.filter(isText).map((t) => t.trim()))].filter((t) => known.has(t)) : [...DEFAULT_SELECTED];
  return { selected, custom };
}

export function setChecked(selection: Selection, text: string, checked: boolean): Selection {
  const known = CATALOG_IDS.includes(text) || selection.custom.includes(text);
  if (!known) return selection;
  const without = selection.selected.filter((t) => t !== text);
  return { ...selection, selected: checked ? [...without, text] : without };
}

export type AddOutcome =
  | { kind: 'added'; selection: Selection; text: string; canonical: string }
  /** The written form is a catalog entry with its defaults: that entry is checked instead. */
  | { kind: 'catalog'; selection: Selection; id: string; canonical: string }
  | { kind: 'duplicate'; selection: Selection; text: string }
  | { kind: 'error'; selection: Selection; message: string; suggestions: string[] };

/** Canonical text of each catalog entry written with its defaults, for spotting re-spellings. */
const CANONICAL_TO_ID = new Map<string, string>(CATALOG_IDS.map((id) => [parseInitializer(id).canonical, id]));

/** Adds a written initializer (any dialect the parser knows) and checks it. */
export function addCustom(selection: Selection, written: string): AddOutcome {
  const text = typeof written === 'string' ? written.trim() : '';
  let canonical: string;
  try {
    canonical = parseInitializer(text).canonical;
  } catch (err) {
    const e = err as Error & { suggestions?: unknown };
    const suggestions = Array.isArray(e.suggestions) ? e.suggestions.filter((s): s is string => typeof s === 'string') : [];
    return { kind: 'error', selection, message: firstLine(e), suggestions };
  }
  if (text.length > MAX_TEXT) return { kind: 'error', selection, message: `initializer text longer than ${MAX_TEXT} characters`, suggestions: [] };
  const id = CANONICAL_TO_ID.get(canonical);
  if (id !== undefined) return { kind: 'catalog', selection: setChecked(selection, id, true), id, canonical };
  if (selection.custom.includes(text)) return { kind: 'duplicate', selection: setChecked(selection, text, true), text };
  if (selection.custom.length >= MAX_CUSTOM) {
    return { kind: 'error', selection, message: `at most ${MAX_CUSTOM} written initializers; remove one first`, suggestions: [] };
  }
  const added = { ...selection, custom: [...selection.custom, text] };
  return { kind: 'added', selection: setChecked(added, text, true), text, canonical };
}

export function removeCustom(selection: Selection, text: string): Selection {
  return { selected: selection.selected.filter((t) => t !== text), custom: selection.custom.filter((t) => t !== text) };
}

/** What Compare runs, in a stable order: the catalog's order, then custom entries as added. */
export function orderedSelection(selection: Selection): string[] {
  const chosen = new Set(selection.selected);
  return [...CATALOG_IDS.filter((id) => chosen.has(id)), ...selection.custom.filter((t) => chosen.has(t))];
}

export class SelectionError extends Error {
  override readonly name = 'SelectionError';
}

/**
 * One RunRequest per chosen initializer, all on the settings' config, with the Compare panel's
 * run ids (unique in the session, so a comparison queued behind a running one never collides).
 * Throws a one-line SelectionError or ConfigError; nothing is started by this.
 */
export function buildRequests(texts: readonly string[], config: ProbeConfig, makeId: () => string = newRunId): RunRequest[] {
  if (texts.length === 0) throw new SelectionError('choose at least one initializer to compare');
  validateConfig(config);
  for (const text of texts) {
    try {
      parseInitializer(text);
    } catch (err) {
      throw new SelectionError(`${text}: ${firstLine(err)}`);
    }
  }
  return panelRequests(texts, config, makeId);
}

/** The panel's title for a comparison started from the sidebar: the settings' network. */
export function comparisonTitle(requests: readonly RunRequest[]): string {
  const c = requests[0]?.config;
  return c ? networkTitle('settings', c) : 'Compare initializers';
}
