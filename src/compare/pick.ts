/**
 * The two QuickPicks of "Compare Initializers": which initializers (the seed's four preselected,
 * every catalog entry with its formula, and any text the parser reads), then which network.
 * Enter, Enter runs the seed comparison.
 */
import * as vscode from 'vscode';
import { INITIALIZER_CATALOG } from '../probe/initializers/catalog';
import { InitializerParseError, parseInitializer } from '../probe/initializers/parse';
import { formatHidden } from '../view/network';
import type { InitLensSettings } from '../host/settings';
import { NETWORKS, SEED_INITIALIZERS } from './requests';
import type { NetworkId } from './requests';

interface InitItem extends vscode.QuickPickItem {
  /** The written initializer this item runs; undefined for items that explain an error. */
  written?: string;
  error?: string;
}

function canonicalOf(text: string): string | undefined {
  try {
    return parseInitializer(text).canonical;
  } catch {
    return undefined;
  }
}

function formulaOf(text: string): string | undefined {
  const canonical = canonicalOf(text);
  const entry = INITIALIZER_CATALOG.find((e) => canonicalOf(e.className) === canonical);
  return entry?.formula;
}

/** The seed's four first (preselected), then every catalog entry not already among them. */
export function initializerItems(): { items: InitItem[]; preselected: InitItem[] } {
  const seed: InitItem[] = SEED_INITIALIZERS.map((text) => ({ label: text, written: text, description: 'seed notebook', detail: formulaOf(text) }));
  const seedCanonical = new Set(SEED_INITIALIZERS.map(canonicalOf));
  const catalog: InitItem[] = INITIALIZER_CATALOG.filter((e) => !seedCanonical.has(canonicalOf(e.className))).map((e) => ({
    label: e.className,
    written: e.className,
    description: e.id,
    detail: e.formula,
  }));
  const separator = (label: string): InitItem => ({ label, kind: vscode.QuickPickItemKind.Separator });
  return { items: [separator('Seed notebook'), ...seed, separator('Catalog'), ...catalog], preselected: seed };
}

/** The typed text as an item, or its one-line error followed by the suggestions that parse. */
function customItems(text: string): InitItem[] {
  try {
    const parsed = parseInitializer(text);
    return [{ label: text, written: text, description: `reads as ${parsed.canonical}`, detail: 'your initializer (Keras, TensorFlow.js or PyTorch spelling)', alwaysShow: true }];
  } catch (err) {
    const error = (err as Error).message;
    const suggestions = err instanceof InitializerParseError ? err.suggestions.filter((s) => canonicalOf(s) !== undefined) : [];
    return [
      { label: `$(error) ${text}`, error, detail: error, alwaysShow: true },
      ...suggestions.map((s) => ({ label: s, written: s, description: `suggested · reads as ${canonicalOf(s)}`, alwaysShow: true })),
    ];
  }
}

/** Resolves with the written initializers, or undefined when dismissed. */
export function pickInitializers(): Promise<string[] | undefined> {
  const { items, preselected } = initializerItems();
  const qp = vscode.window.createQuickPick<InitItem>();
  qp.title = 'InitLens: Compare Initializers (1/2)';
  qp.placeholder = 'Pick initializers (Space toggles), or type any initializer, e.g. VarianceScaling(scale=0.5) or kaiming_normal_(w)';
  qp.canSelectMany = true;
  qp.matchOnDescription = true;
  qp.matchOnDetail = true;
  let custom: InitItem[] = [];
  /** What the typed text offers: itself, or its error and the suggestions. */
  let typed: InitItem[] = [];
  /**
   * What is checked, by written text: ours, not the widget's. Replacing the items as the person
   * types makes the workbench report a selection with some checks missing (they were being
   * re-drawn); reading that back lost checked initializers without a word.
   */
  let checked = new Set(preselected.map((i) => i.written!));
  /** Re-renders sent whose selection echo (checks missing while re-drawn) may still come back. */
  let echoes = 0;
  let shownKey = '';
  const showChecks = (): void => {
    qp.selectedItems = qp.items.filter((i) => i.written !== undefined && checked.has(i.written));
  };
  // The extension host names items by their position in the list it last sent: a selection the
  // workbench reports about the list before the latest re-render is read against the new one. So
  // the list only ever grows at its end: the seed and catalog keep their places, initializers
  // kept from typing follow in the order they were kept, and what the typed text offers comes last
  // (while text is typed the workbench sorts what matches it to the top anyway).
  const render = (): void => {
    const kept = custom.length > 0 ? [{ label: 'Typed', kind: vscode.QuickPickItemKind.Separator } as InitItem, ...custom] : [];
    const next = [...items, ...kept, ...typed];
    const key = next.map((i) => `${i.label}\0${i.description ?? ''}`).join('\n');
    if (key === shownKey) return;
    shownKey = key;
    qp.items = next;
    showChecks();
    echoes += 1;
  };
  qp.items = items;
  shownKey = items.map((i) => `${i.label}\0${i.description ?? ''}`).join('\n');
  showChecks();
  return new Promise((resolve) => {
    let done = false;
    const finish = (value: string[] | undefined): void => {
      if (done) return;
      done = true;
      resolve(value);
      qp.dispose();
    };
    const typedFor = (value: string): InitItem[] => {
      const text = value.trim();
      const matches = text !== '' && items.some((i) => i.written !== undefined && i.label.toLowerCase().includes(text.toLowerCase()));
      return text === '' || matches || custom.some((c) => c.label === text) ? [] : customItems(text);
    };
    qp.onDidChangeValue((value) => {
      typed = typedFor(value);
      render();
    });
    qp.onDidChangeSelection((selection) => {
      const refused = selection.find((s) => s.error !== undefined);
      if (refused) {
        showChecks();
        void vscode.window.showWarningMessage(`InitLens: ${refused.error}`);
        return;
      }
      const now = new Set(selection.filter((s) => s.written !== undefined).map((s) => s.written!));
      const listed = new Set(qp.items.filter((i) => i.written !== undefined).map((i) => i.written!));
      const removed = [...checked].filter((w) => listed.has(w) && !now.has(w));
      const added = [...now].filter((w) => !checked.has(w));
      const mayBeEcho = echoes > 0 || qp.value.trim() !== '';
      echoes = Math.max(0, echoes - 1);
      // While text is typed the list is re-drawn at every key and the echoes can outnumber the
      // re-draws under load: only checks added count then (clear the text to uncheck).
      if (mayBeEcho && added.length === 0 && removed.length > 0) {
        // The redraw's echo, not a person unchecking several at once: show our checks again.
        showChecks();
        return;
      }
      // While text is typed, a check can only be added: a re-draw's echo may arrive together with a
      // person's added check, and must not take other checks with it.
      const typing = qp.value.trim() !== '';
      checked = new Set([...[...checked].filter((w) => typing || !removed.includes(w)), ...added]);
      if (typing && removed.length > 0) showChecks();
      // A checked typed initializer (or suggestion) stays in the list after the text changes.
      const kept = typed.filter((t) => t.written !== undefined && checked.has(t.written) && !custom.includes(t));
      if (kept.length > 0) custom = [...custom, ...kept];
    });
    let asking = false;
    qp.onDidAccept(async () => {
      if (asking) return;
      // Enter can arrive before the last key's value change was handled: read the text as it is now.
      typed = typedFor(qp.value);
      // Seed and catalog in list order, then what was typed, each written form once.
      const chosen = [...new Set([...items, ...custom, ...typed].filter((i) => i.written !== undefined && checked.has(i.written)).map((i) => i.written!))];
      const own = typed[0];
      if (qp.value.trim() !== '' && own) {
        // Enter on typed text means "this one too", checked or not. Text that does not parse is
        // never dropped silently, even with one of its suggestions checked: ask, and carry on only
        // with what the person chose.
        if (own.error) {
          asking = true;
          const answer = await askAboutTypo(qp.value.trim(), own.error, typed.find((t) => t.written !== undefined)?.written, chosen.length, qp);
          asking = false;
          if (answer.kind === 'fix') return;
          if (answer.kind === 'use' && !chosen.includes(answer.written)) chosen.push(answer.written);
        } else if (own.written && !chosen.includes(own.written)) {
          chosen.push(own.written);
        }
      }
      if (chosen.length === 0) {
        void vscode.window.showWarningMessage('InitLens: pick at least one initializer (Space checks an item).');
        return;
      }
      finish(chosen);
    });
    // The typo question is a modal: the picker loses focus and hides behind it; it is shown again after.
    qp.onDidHide(() => {
      if (!asking) finish(undefined);
    });
    qp.show();
  });
}

type TypoAnswer = { kind: 'fix' } | { kind: 'use'; written: string } | { kind: 'without' };

/**
 * Enter on typed text that does not parse: a modal says why and offers the parser's suggestion,
 * running without it (said in so many words), or going back to fix it. The picker stays open
 * behind the dialog and keeps its text.
 */
async function askAboutTypo(text: string, error: string, suggestion: string | undefined, others: number, qp: vscode.QuickPick<InitItem>): Promise<TypoAnswer> {
  const use = suggestion ? `Use ${suggestion}` : undefined;
  const without = others > 0 ? `Run the other ${others} without it` : undefined;
  const fix = 'Fix it';
  qp.ignoreFocusOut = true;
  try {
    const answer = await vscode.window.showWarningMessage(
      `InitLens: '${text}' is not an initializer InitLens can read.`,
      { modal: true, detail: error },
      ...[use, without, fix].filter((b): b is string => b !== undefined),
    );
    if (answer !== undefined && answer === use && suggestion) return { kind: 'use', written: suggestion };
    if (answer !== undefined && answer === without) return { kind: 'without' };
    return { kind: 'fix' };
  } finally {
    qp.ignoreFocusOut = false;
    qp.show();
  }
}

interface NetworkItem extends vscode.QuickPickItem {
  id: NetworkId;
}

export async function pickNetwork(settings: InitLensSettings): Promise<NetworkId | undefined> {
  const c = settings.config;
  const items: NetworkItem[] = NETWORKS.map((n) => {
    if (n.id !== 'settings') return { id: n.id, label: n.label, detail: n.description };
    const problems = settings.problems.length;
    return {
      id: n.id,
      label: n.label,
      description: problems > 0 ? `$(warning) ${problems} setting${problems > 1 ? 's' : ''} not valid: defaults used` : undefined,
      detail: `784→${formatHidden(c.hidden)}→10, ${c.activation}, ${c.optimizer} lr ${c.lr}, batch ${c.batch}, ${c.steps} steps`,
    };
  });
  const picked = await vscode.window.showQuickPick(items, {
    title: 'InitLens: Compare Initializers (2/2)',
    placeHolder: 'Which network? Enter runs the seed model',
  });
  return picked?.id;
}
