/**
 * The Probe settings form. Each field shows its setting; a change is checked here with the
 * engine's validators (instant reason under the field), sent to the host only when valid, and
 * checked again there before it is written. Edits in settings.json arrive as `settings`.
 */
import { checkField, FIELDS, GROUP_TITLES } from '../../src/view/settingsForm';
import type { FieldGroup, FieldSpec, SettingKey } from '../../src/view/settingsForm';
import type { SettingsState } from '../../src/protocol/sidebar';
import { codicon, h, replaceChildren } from '../shared/dom';
import { send } from './channel';
import { saveViewState, viewState } from './viewState';

type Control = HTMLElementTagNameMap['vscode-textfield'] | HTMLElementTagNameMap['vscode-single-select'];

interface Field {
  spec: FieldSpec;
  control: Control;
  helper: HTMLElement;
  wrapper: HTMLElement;
  /** The setting's value as last received from the host. */
  saved: string;
  /** The reason the typed value was refused (it is then not written). */
  draftProblem?: string;
  /** The reason the saved setting itself is bad (settings.json), with its fallback. */
  savedProblem?: string;
}

export class SettingsForm {
  readonly element: HTMLElement;
  private readonly fields = new Map<SettingKey, Field>();
  private readonly trust: HTMLElement;
  private state: SettingsState | undefined;

  constructor(private readonly changed: () => void) {
    this.trust = h('div', { class: 'trust-notice', role: 'note', hidden: true });
    // One grid for every group, so all controls line up whatever the group's labels.
    const grid = h('div', { class: 'field-grid' });
    let group: FieldGroup | undefined;
    for (const spec of FIELDS) {
      if (spec.group !== group) {
        group = spec.group;
        grid.appendChild(h('div', { class: 'group-title', role: 'heading', 'aria-level': '3' }, GROUP_TITLES[group]));
        if (group === 'execution') grid.appendChild(this.trust);
      }
      const field = this.makeField(spec);
      this.fields.set(spec.key, field);
      grid.appendChild(field.wrapper);
    }
    this.element = h('form', { class: 'settings-form', 'aria-label': 'Probe settings', onsubmit: (e: Event) => e.preventDefault() }, grid);
  }

  private makeField(spec: FieldSpec): Field {
    const id = `field-${spec.key}`;
    const control: Control =
      spec.kind === 'select'
        ? h('vscode-single-select', { id, title: spec.description }, ...(spec.options ?? []).map((o) => h('vscode-option', { value: o }, o)))
        : h('vscode-textfield', { id, title: spec.description, spellcheck: false, autocomplete: 'off', inputmode: spec.kind === 'number' ? 'decimal' : undefined });
    control.setAttribute('aria-label', spec.label);
    const helper = h('vscode-form-helper', { id: `${id}-help`, class: 'helper' });
    const wrapper = h(
      'div',
      { class: ['field', spec.kind === 'text' ? 'wide' : ''], 'data-key': spec.key },
      h('vscode-label', { for: id, title: spec.description }, h('span', { class: 'normal' }, spec.label)),
      control,
      helper,
    );
    const field: Field = { spec, control, helper, wrapper, saved: '' };
    const draft = viewState.drafts[spec.key];
    if (draft) {
      control.value = draft.value;
      field.draftProblem = draft.problem;
    }
    control.addEventListener('input', () => {
      // Clear a shown reason as soon as the text is fixed; don't nag while someone types.
      if (field.draftProblem !== undefined) this.check(field, false);
    });
    control.addEventListener('change', () => this.check(field, true));
    if (control.tagName === 'VSCODE-TEXTFIELD') {
      control.addEventListener('keydown', (e: Event) => {
        const key = (e as KeyboardEvent).key;
        if (key === 'Escape' && field.draftProblem !== undefined) {
          control.value = field.saved;
          this.setDraft(field, undefined);
        }
      });
    }
    return field;
  }

  /** Checks the typed value; when `write`, a valid changed value goes to the host to be written. */
  private check(field: Field, write: boolean): void {
    if (!this.state) return;
    const value = field.control.value;
    if (value === field.saved && field.savedProblem === undefined) {
      this.setDraft(field, undefined);
      return;
    }
    const result = checkField(field.spec.key, value, this.state.config);
    if (!result.ok) {
      this.setDraft(field, result.problem);
      return;
    }
    this.setDraft(field, undefined);
    if (write && value !== field.saved) send({ type: 'setSetting', key: field.spec.key, value });
  }

  private setDraft(field: Field, problem: string | undefined): void {
    field.draftProblem = problem;
    if (problem === undefined) delete viewState.drafts[field.spec.key];
    else viewState.drafts[field.spec.key] = { value: field.control.value, problem };
    saveViewState();
    this.paint(field);
  }

  private paint(field: Field): void {
    const problem = field.draftProblem ?? field.savedProblem;
    const ignored = this.state?.ignoredForTrust.includes(field.spec.key) ?? false;
    if ('invalid' in field.control) field.control.invalid = problem !== undefined;
    field.wrapper.classList.toggle('has-problem', problem !== undefined);
    if (problem !== undefined) {
      field.helper.setAttribute('role', 'alert');
      const suffix = field.draftProblem === undefined ? '' : ' (not saved)';
      replaceChildren(field.helper, codicon('error', 'problem-icon'), h('span', {}, `${problem}${suffix}`));
    } else if (ignored) {
      field.helper.removeAttribute('role');
      replaceChildren(field.helper, codicon('workspace-untrusted', 'muted-icon'), h('span', {}, 'Workspace value ignored (untrusted)'));
    } else {
      field.helper.removeAttribute('role');
      replaceChildren(field.helper, field.spec.hint ? h('span', { class: 'hint' }, field.spec.hint) : null);
    }
    field.helper.hidden = field.helper.childNodes.length === 0;
  }

  update(state: SettingsState): void {
    const previous = this.state;
    this.state = state;
    for (const field of this.fields.values()) {
      const key = field.spec.key;
      const value = state.values[key];
      const focused = document.activeElement === field.control;
      const changedOutside = previous !== undefined && previous.values[key] !== value;
      // Don't pull text from under someone typing, unless settings.json changed this very key.
      const keepTyped = (focused || field.draftProblem !== undefined) && !changedOutside && field.control.value !== field.saved;
      field.saved = value;
      if (!keepTyped) {
        const shown = field.spec.kind === 'select' && !(field.spec.options ?? []).includes(value) ? state.effective[key] : value;
        field.control.value = shown;
        if (field.draftProblem !== undefined) this.setDraft(field, undefined);
      }
      const problem = state.problems.find((p) => p.key === key);
      field.savedProblem = problem ? `${problem.message}; using ${state.effective[key]}` : undefined;
      const ignored = state.ignoredForTrust.includes(key);
      field.control.disabled = ignored;
      this.paint(field);
    }
    if (state.trustNotice) {
      replaceChildren(
        this.trust,
        codicon('workspace-untrusted'),
        h(
          'span',
          {},
          `${state.trustNotice} `,
          h('a', { href: '#', class: 'link', onclick: (e: Event) => (e.preventDefault(), send({ type: 'manageTrust' })) }, 'Manage Workspace Trust'),
        ),
      );
      this.trust.hidden = false;
    } else {
      this.trust.hidden = true;
      replaceChildren(this.trust);
    }
    this.changed();
  }

  /** The host's answer to a setSetting: written, or refused with its reason. */
  fieldResult(key: SettingKey, value: string, problem: string | undefined): void {
    const field = this.fields.get(key);
    if (!field) return;
    if (problem !== undefined && field.control.value === value) this.setDraft(field, problem);
    this.changed();
  }

  get activation(): string | undefined {
    return this.state?.config.activation;
  }

  report(): Record<string, { value: string; problem?: string; disabled: boolean }> {
    const out: Record<string, { value: string; problem?: string; disabled: boolean }> = {};
    for (const [key, f] of this.fields) {
      const problem = f.draftProblem ?? f.savedProblem;
      out[key] = { value: f.control.value, disabled: f.control.disabled, ...(problem !== undefined ? { problem } : {}) };
    }
    return out;
  }
}
