/**
 * The sidebar's initializer selection: kept in workspace state, changed by the webview's
 * check boxes and custom entries, answered with the selection (and, for a custom entry, what
 * became of it). Pure rules live in selection.ts; this is their store and replies.
 */
import type * as vscode from 'vscode';
import { oneLineReason } from '../probe/errors';
import { INITIALIZER_CATALOG } from '../probe/initializers/catalog';
import { parseInitializer } from '../probe/initializers/parse';
import type { HostToSidebar, SelectionState } from '../protocol/sidebar';
import { addCustom, normalizeSelection, removeCustom, setChecked } from './selection';
import type { Selection } from './selection';

const SELECTION_KEY = 'initlens.sidebar.selection';

export class SelectionStore {
  constructor(
    private readonly state: vscode.Memento,
    private readonly post: (message: HostToSidebar) => void,
  ) {}

  current(): Selection {
    return normalizeSelection(this.state.get<unknown>(SELECTION_KEY));
  }

  /** What the webview shows: each custom entry with its canonical form or why it does not parse. */
  view(selection = this.current()): SelectionState {
    return {
      selected: selection.selected,
      custom: selection.custom.map((text) => {
        try {
          return { text, canonical: parseInitializer(text).canonical };
        } catch (err) {
          return { text, canonical: '', error: oneLineReason(err) };
        }
      }),
    };
  }

  async setChecked(text: string, checked: boolean): Promise<void> {
    await this.save(setChecked(this.current(), text, checked));
  }

  async removeCustom(text: string): Promise<void> {
    await this.save(removeCustom(this.current(), text));
  }

  /** Adds a typed initializer and says what became of it: added, already listed, or why not. */
  async addCustom(typed: string): Promise<void> {
    const outcome = addCustom(this.current(), typed);
    await this.save(outcome.selection);
    const reply = (ok: boolean, message: string, suggestions: string[] = []): void => this.post({ type: 'customResult', text: typed, ok, message, suggestions });
    switch (outcome.kind) {
      case 'added':
        reply(true, `Added ${outcome.canonical === outcome.text ? outcome.text : `${outcome.text} (${outcome.canonical})`}`);
        return;
      case 'catalog': {
        const entry = INITIALIZER_CATALOG.find((e) => e.id === outcome.id);
        reply(true, `Same as ${entry?.className ?? outcome.id} in the list: checked it there`);
        return;
      }
      case 'duplicate':
        reply(true, `${outcome.text} is already in the list`);
        return;
      case 'error':
        reply(false, outcome.message, outcome.suggestions);
        return;
    }
  }

  private async save(selection: Selection): Promise<void> {
    await this.state.update(SELECTION_KEY, selection);
    this.post({ type: 'selection', selection: this.view(selection) });
  }
}
