/**
 * The initializer catalog: every entry with its formula, a checkbox choosing it for the next
 * comparison, its note on demand, written forms added through the free-text field, and the
 * Compare / Stop buttons.
 */
import type { CatalogItem, SelectionState } from '../../src/protocol/sidebar';
import { codicon, h, replaceChildren } from '../shared/dom';
import { renderMarkdown } from '../shared/markdown';
import { send } from './channel';
import { saveViewState, viewState } from './viewState';

interface Note {
  title: string;
  summary: string;
  body: string;
}

interface Entry {
  item: CatalogItem;
  checkbox: HTMLElementTagNameMap['vscode-checkbox'];
  toggle: HTMLButtonElement;
  panel: HTMLElement;
  suits: HTMLElement;
  row: HTMLElement;
}

export class CatalogSection {
  readonly element: HTMLElement;
  private readonly list = h('ul', { class: 'catalog', 'aria-label': 'Initializers' });
  private readonly customList = h('ul', { class: 'catalog custom', 'aria-label': 'Written initializers' });
  private readonly customInput = h('vscode-textfield', {
    id: 'custom-initializer',
    class: 'custom-input',
    placeholder: 'e.g. HeNormal(seed=1), nn.init.orthogonal_(w)',
    spellcheck: false,
    autocomplete: 'off',
  });
  private readonly customMessage = h('div', { class: 'custom-message', 'aria-live': 'polite' });
  private readonly compareButton = h('vscode-button', { class: 'compare', icon: 'play' }, 'Compare');
  private readonly stopButton = h('vscode-button', { class: 'stop', secondary: true, icon: 'debug-stop', disabled: true }, 'Stop');
  private readonly noticeLine = h('div', { class: 'notice', 'aria-live': 'polite' });
  private readonly planLine = h('div', { class: 'plan' });
  /** Compare, Stop, what they will run and the last notice: mounted at the top of the view. */
  readonly actions: HTMLElement;
  private plan: { hidden: readonly number[]; activation: string; steps: number } | undefined;
  private readonly entries = new Map<string, Entry>();
  private readonly notes = new Map<string, Note | null>();
  private selection: SelectionState = { selected: [], custom: [] };
  private activation: string | undefined;
  private pendingCustom: string | undefined;
  private customText = '';

  constructor(private readonly changed: () => void) {
    this.customInput.setAttribute('aria-label', 'Add a written initializer');
    this.customInput.value = viewState.customDraft;
    this.customInput.addEventListener('input', () => {
      viewState.customDraft = this.customInput.value;
      saveViewState();
    });
    this.customInput.addEventListener('keydown', (e: Event) => {
      if ((e as KeyboardEvent).key === 'Enter') {
        e.preventDefault();
        this.addCustom();
      }
    });
    const addButton = h('vscode-button', { secondary: true, icon: 'add', title: 'Add and check this initializer', onclick: () => this.addCustom() }, 'Add');
    this.compareButton.addEventListener('click', () => {
      this.setNotice('info', '');
      send({ type: 'compare' });
    });
    this.stopButton.addEventListener('click', () => send({ type: 'stop' }));
    this.element = h(
      'div',
      { class: 'catalog-section' },
      this.list,
      this.customList,
      h(
        'div',
        { class: 'custom-add' },
        h('vscode-label', { for: 'custom-initializer' }, h('span', { class: 'normal' }, 'Add any written initializer (Keras, TensorFlow.js, PyTorch)')),
        h('div', { class: 'custom-row' }, this.customInput, addButton),
        this.customMessage,
      ),
    );
    // At the top of the view, above the settings and the list: what Compare will run.
    this.actions = h(
      'section',
      { class: 'top-actions', 'aria-label': 'Compare' },
      h('div', { class: 'actions' }, this.compareButton, this.stopButton),
      this.planLine,
      this.noticeLine,
    );
  }

  /** The network the next comparison runs on (the settings' config). */
  setPlan(config: { hidden: readonly number[]; activation: string; steps: number }): void {
    this.plan = config;
    this.paintSelection();
  }

  /** "Runs Zeros, HeNormal on 784→128→10, relu, 300 steps": said beside the Compare button. */
  private planText(): string {
    const names = this.checkedNames();
    if (names.length === 0) return 'Check at least one initializer below.';
    const p = this.plan;
    const hidden = p && p.hidden.length > 3 && p.hidden.every((w) => w === p.hidden[0]) ? `${p.hidden[0]}×${p.hidden.length}` : (p?.hidden.join('→') ?? '');
    const network = p ? ` on 784→${hidden}→10, ${p.activation}, ${p.steps} steps` : '';
    return `Runs ${names.join(', ')}${network} (Probe settings below).`;
  }

  private checkedNames(): string[] {
    const chosen = new Set(this.selection.selected);
    // The catalog's order, then written ones: the order Compare runs them in.
    return [...[...this.entries.values()].filter((e) => chosen.has(e.item.id)).map((e) => e.item.className), ...this.selection.custom.filter((c) => chosen.has(c.text)).map((c) => c.text)];
  }

  setCatalog(items: readonly CatalogItem[]): void {
    this.entries.clear();
    replaceChildren(this.list, ...items.map((item) => this.makeEntry(item).row));
    this.paintSelection();
    for (const id of viewState.notes) if (this.entries.has(id)) this.expand(id, true);
  }

  private makeEntry(item: CatalogItem): Entry {
    // The name is the checkbox's label for screen readers; seen, the name opens the note instead.
    const checkbox = h('vscode-checkbox', { class: 'pick', title: `Include ${item.className} in the next comparison` }, h('span', { class: 'visually-hidden' }, `Include ${item.className}`));
    checkbox.addEventListener('change', () => send({ type: 'setChecked', text: item.id, checked: checkbox.checked }));
    const panelId = `note-${item.id}`;
    const suits = h('span', { class: 'suits' });
    const toggle = h(
      'button',
      {
        type: 'button',
        class: 'entry-toggle',
        'aria-expanded': 'false',
        'aria-controls': panelId,
        title: `${item.summary} (show the note)`,
        onclick: () => this.expand(item.id, !this.isOpen(item.id)),
      },
      h('span', { class: 'entry-head' }, h('span', { class: 'entry-name' }, item.className), h('span', { class: 'entry-id' }, item.id), suits),
      h('span', { class: 'entry-formula', title: item.formula }, item.formula),
      codicon('chevron-down', 'chevron'),
    );
    const panel = h('div', { id: panelId, class: 'note', hidden: true, role: 'region', 'aria-label': `Note on ${item.className}` });
    const row = h('li', { class: 'entry', 'data-id': item.id }, h('div', { class: 'entry-line' }, checkbox, toggle), panel);
    const entry: Entry = { item, checkbox, toggle, panel, suits, row };
    this.entries.set(item.id, entry);
    return entry;
  }

  private isOpen(id: string): boolean {
    return this.entries.get(id)?.toggle.getAttribute('aria-expanded') === 'true';
  }

  private expand(id: string, open: boolean): void {
    const entry = this.entries.get(id);
    if (!entry) return;
    entry.toggle.setAttribute('aria-expanded', String(open));
    entry.row.classList.toggle('open', open);
    entry.panel.hidden = !open;
    viewState.notes = open ? [...new Set([...viewState.notes, id])] : viewState.notes.filter((n) => n !== id);
    saveViewState();
    if (open) {
      if (this.notes.has(entry.item.noteId)) this.paintNote(entry);
      else {
        replaceChildren(entry.panel, h('p', { class: 'muted' }, 'Loading the note…'));
        send({ type: 'requestNote', noteId: entry.item.noteId });
      }
    }
    this.changed();
  }

  note(noteId: string, note: Note | null): void {
    this.notes.set(noteId, note);
    for (const entry of this.entries.values()) if (entry.item.noteId === noteId && this.isOpen(entry.item.id)) this.paintNote(entry);
    this.changed();
  }

  private paintNote(entry: Entry): void {
    const note = this.notes.get(entry.item.noteId);
    if (!note) {
      replaceChildren(entry.panel, h('p', { class: 'muted' }, `No note '${entry.item.noteId}' is installed.`));
      return;
    }
    const suits = entry.item.suits.length > 0 ? `Designed for ${entry.item.suits.join(', ')}.` : 'Not scaled to the layer: designed for no activation.';
    replaceChildren(
      entry.panel,
      h('code', { class: 'note-formula' }, entry.item.formula),
      h('p', { class: 'note-summary' }, entry.item.summary),
      h('p', { class: 'note-suits muted' }, suits),
      h('h3', { class: 'note-title' }, note.title),
      h('div', { class: 'markdown' }, renderMarkdown(note.body, note.title)),
    );
  }

  setActivation(activation: string | undefined): void {
    this.activation = activation;
    for (const entry of this.entries.values()) {
      const fits = activation !== undefined && entry.item.suits.includes(activation);
      replaceChildren(entry.suits, fits ? h('vscode-badge', { class: 'suits-badge', title: `Designed for ${activation}` }, `suits ${activation}`) : null);
    }
  }

  setSelection(selection: SelectionState): void {
    this.selection = selection;
    this.paintSelection();
    this.changed();
  }

  private paintSelection(): void {
    const chosen = new Set(this.selection.selected);
    for (const [id, entry] of this.entries) entry.checkbox.checked = chosen.has(id);
    replaceChildren(
      this.customList,
      ...this.selection.custom.map((c) => {
        const checkbox = h('vscode-checkbox', { class: 'pick', checked: chosen.has(c.text) }, h('span', { class: 'visually-hidden' }, `Include ${c.text}`));
        checkbox.addEventListener('change', () => send({ type: 'setChecked', text: c.text, checked: checkbox.checked }));
        const remove = h('vscode-icon', { name: 'close', 'action-icon': true, label: `Remove ${c.text}`, title: 'Remove' });
        remove.addEventListener('vsc-click', () => send({ type: 'removeCustom', text: c.text }));
        return h(
          'li',
          { class: ['entry', 'custom-entry', c.error ? 'broken' : ''], 'data-text': c.text },
          h(
            'div',
            { class: 'entry-line' },
            checkbox,
            h(
              'div',
              { class: 'entry-text' },
              h('code', { class: 'entry-written' }, c.text),
              c.error ? h('span', { class: 'entry-formula error-text' }, c.error) : c.canonical !== c.text ? h('span', { class: 'entry-formula' }, `= ${c.canonical}`) : null,
            ),
            remove,
          ),
        );
      }),
    );
    this.customList.hidden = this.selection.custom.length === 0;
    const n = this.selection.selected.length;
    replaceChildren(this.compareButton, n === 0 ? 'Compare' : `Compare ${n}`);
    this.compareButton.title = n === 0 ? 'Check at least one initializer' : `Run ${n} probe${n === 1 ? '' : 's'} with the probe settings`;
    this.planLine.textContent = this.entries.size > 0 ? this.planText() : '';
  }

  private addCustom(): void {
    const text = this.customInput.value.trim();
    if (text === '') {
      this.showCustom(false, 'Write an initializer first, e.g. HeNormal(seed=1)', []);
      return;
    }
    this.pendingCustom = text;
    send({ type: 'addCustom', text });
  }

  customResult(text: string, ok: boolean, message: string, suggestions: readonly string[]): void {
    if (this.pendingCustom !== undefined && this.pendingCustom !== text.trim()) return;
    this.pendingCustom = undefined;
    if (ok) {
      this.customInput.value = '';
      viewState.customDraft = '';
      saveViewState();
    }
    this.showCustom(ok, message, suggestions);
    this.changed();
  }

  private showCustom(ok: boolean, message: string, suggestions: readonly string[]): void {
    this.customText = message;
    this.customInput.invalid = !ok;
    this.customMessage.className = `custom-message ${ok ? 'ok' : 'problem'}`;
    this.customMessage.setAttribute('role', ok ? 'status' : 'alert');
    // A suggestion replaces the quoted word the parser complained about.
    const written = this.customInput.value;
    const quoted = /'([^']+)'/.exec(message)?.[1];
    const fixes = quoted && written.includes(quoted) ? suggestions.filter((s) => s !== quoted).slice(0, 4) : [];
    replaceChildren(
      this.customMessage,
      codicon(ok ? 'check' : 'error', ok ? 'ok-icon' : 'problem-icon'),
      h(
        'span',
        {},
        fixes.length > 0 ? message.replace(/ — did you mean .*$/, '') : message,
        fixes.length > 0 ? ' — did you mean ' : null,
        ...fixes.flatMap((s, i) => [
          i > 0 ? ', ' : null,
          h(
            'button',
            {
              type: 'button',
              class: 'link suggestion',
              title: `Replace '${quoted ?? ''}' with ${s}`,
              onclick: () => {
                this.customInput.value = written.replace(quoted ?? '', s);
                viewState.customDraft = this.customInput.value;
                saveViewState();
                this.customInput.focus();
              },
            },
            s,
          ),
        ]),
        fixes.length > 0 ? '?' : null,
      ),
    );
  }

  setRunning(running: boolean): void {
    this.stopButton.disabled = !running;
  }

  setNotice(level: 'info' | 'warning' | 'error', message: string): void {
    this.noticeLine.className = `notice ${level}`;
    this.noticeLine.setAttribute('role', level === 'error' ? 'alert' : 'status');
    const icon = level === 'error' ? 'error' : level === 'warning' ? 'warning' : 'info';
    replaceChildren(this.noticeLine, message ? codicon(icon, `${level}-icon`) : null, message ? h('span', {}, message) : null);
    this.noticeLine.hidden = message === '';
    this.changed();
  }

  get noticeText(): string {
    return this.noticeLine.textContent ?? '';
  }

  report(): { catalog: string[]; checked: string[]; custom: string[]; customMessage?: string; openNotes: string[] } {
    return {
      catalog: [...this.entries.values()].map((e) => e.item.className),
      // What the checkboxes show, in list order (not what the host believes).
      checked: [
        ...[...this.entries.values()].filter((e) => e.checkbox.checked).map((e) => e.item.id),
        ...Array.from(this.customList.querySelectorAll<HTMLElement>('.custom-entry'))
          .filter((li) => (li.querySelector('vscode-checkbox') as { checked?: boolean } | null)?.checked === true)
          .map((li) => li.dataset.text ?? ''),
      ],
      custom: this.selection.custom.map((c) => c.text),
      ...(this.customText ? { customMessage: this.customText } : {}),
      openNotes: [...this.entries.values()].filter((e) => this.isOpen(e.item.id)).map((e) => e.item.id),
    };
  }

  get selectedCount(): number {
    return this.selection.selected.length;
  }

  get currentActivation(): string | undefined {
    return this.activation;
  }
}
