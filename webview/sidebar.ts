/**
 * The InitLens sidebar webview: Probe settings, Initializers, Status and History as native
 * collapsible sections. Says `ready`, renders the host's snapshot, then applies deltas.
 */
import '@vscode-elements/elements/dist/vscode-badge/index.js';
import '@vscode-elements/elements/dist/vscode-button/index.js';
import '@vscode-elements/elements/dist/vscode-checkbox/index.js';
import '@vscode-elements/elements/dist/vscode-collapsible/index.js';
import '@vscode-elements/elements/dist/vscode-form-helper/index.js';
import '@vscode-elements/elements/dist/vscode-icon/index.js';
import '@vscode-elements/elements/dist/vscode-label/index.js';
import '@vscode-elements/elements/dist/vscode-option/index.js';
import '@vscode-elements/elements/dist/vscode-progress-bar/index.js';
import '@vscode-elements/elements/dist/vscode-progress-ring/index.js';
import '@vscode-elements/elements/dist/vscode-single-select/index.js';
import '@vscode-elements/elements/dist/vscode-textfield/index.js';
import '@vscode/codicons/dist/codicon.css';
import './sidebar.css';
import type { HostToSidebar } from '../src/protocol/sidebar';
import type { SidebarTestReport } from '../src/protocol/testReports';
import { TestReporter } from './shared/testReport';
import { h, replaceChildren } from './shared/dom';
import { listen, send } from './sidebar/channel';
import { saveViewState, viewState } from './sidebar/viewState';
import { SettingsForm } from './sidebar/settingsForm';
import { CatalogSection } from './sidebar/catalog';
import { StatusSection } from './sidebar/status';
import { HistorySection } from './sidebar/history';

const tests = new TestReporter<SidebarTestReport>((report) => send({ type: 'testReport', report }));
let reportTimer: number | undefined;

/** Tests read what the view shows through the host (test mode only: the host asks for it). */
function scheduleReport(): void {
  if (!tests.active || reportTimer !== undefined) return;
  reportTimer = window.setTimeout(() => {
    reportTimer = undefined;
    tests.report(() => ({
      fields: form.report(),
      ...catalogSection.report(),
      trustNotice: document.querySelector('.trust-notice:not([hidden])')?.textContent ?? undefined,
      ...statusSection.report(),
      history: historySection.report(),
      notice: catalogSection.noticeText || undefined,
    }));
  }, 50);
}

const form = new SettingsForm(scheduleReport);
const catalogSection = new CatalogSection(scheduleReport);
const statusSection = new StatusSection(scheduleReport);
const historySection = new HistorySection(scheduleReport);

const selectedBadge = h('vscode-badge', { variant: 'counter', slot: 'decorations', title: 'Initializers checked for the next comparison' });
const runningRing = h('vscode-progress-ring', { slot: 'decorations', class: 'running-ring', hidden: true, ariaLabel: 'Probes running' });
const historyBadge = h('vscode-badge', { variant: 'counter', slot: 'decorations', title: 'Stored comparisons' });

function action(icon: string, label: string, onClick: () => void): HTMLElement {
  const el = h('vscode-icon', { name: icon, 'action-icon': true, label, title: label, slot: 'actions', 'data-action': icon });
  el.addEventListener('vsc-click', (e: Event) => {
    e.stopPropagation();
    onClick();
  });
  return el;
}

function section(id: string, heading: string, body: HTMLElement, ...header: HTMLElement[]): HTMLElementTagNameMap['vscode-collapsible'] {
  // Header actions always visible: hover-only actions would be out of the keyboard's reach.
  const el = h(
    'vscode-collapsible',
    { id: `section-${id}`, heading, open: !viewState.closed.includes(id), alwaysShowHeaderActions: true, class: 'section' },
    ...header,
    body,
  );
  el.addEventListener('vsc-collapsible-toggle', (e: Event) => {
    const open = (e as CustomEvent<{ open: boolean }>).detail.open;
    viewState.closed = open ? viewState.closed.filter((s) => s !== id) : [...new Set([...viewState.closed, id])];
    saveViewState();
  });
  return el;
}

function mount(): void {
  const app = document.getElementById('app');
  if (!app) return;
  replaceChildren(
    app,
    catalogSection.actions,
    section('settings', 'Probe settings', form.element, action('settings-gear', 'Open InitLens settings', () => send({ type: 'openSettings' }))),
    section('initializers', 'Initializers', catalogSection.element, selectedBadge),
    section('status', 'Status', statusSection.element, runningRing),
    section('history', 'History', historySection.element, historyBadge, action('clear-all', 'Clear history…', () => send({ type: 'clearHistory' }))),
  );
  app.removeAttribute('aria-busy');
}

function paintBadges(): void {
  selectedBadge.textContent = String(catalogSection.selectedCount);
  historyBadge.textContent = String(historySection.count);
  historyBadge.hidden = historySection.count === 0;
}

let mounted = false;

function handle(message: HostToSidebar): void {
  switch (message.type) {
    case 'snapshot':
      if (!mounted) {
        mount();
        mounted = true;
      }
      form.update(message.settings);
      catalogSection.setCatalog(message.catalog);
      catalogSection.setActivation(message.settings.config.activation);
      catalogSection.setPlan(message.settings.config);
      catalogSection.setSelection(message.selection);
      catalogSection.setRunning(message.status.running);
      statusSection.update(message.status);
      runningRing.hidden = !message.status.running;
      statusSection.progress(true, message.progress);
      historySection.update(message.history);
      statusSection.setHistoryCount(message.history.length);
      paintBadges();
      window.scrollTo(0, viewState.scrollY);
      break;
    case 'settings':
      form.update(message.settings);
      catalogSection.setActivation(message.settings.config.activation);
      catalogSection.setPlan(message.settings.config);
      break;
    case 'fieldResult':
      form.fieldResult(message.key, message.value, message.problem);
      break;
    case 'selection':
      catalogSection.setSelection(message.selection);
      paintBadges();
      break;
    case 'customResult':
      catalogSection.customResult(message.text, message.ok, message.message, message.suggestions);
      break;
    case 'status':
      statusSection.update(message.status);
      catalogSection.setRunning(message.status.running);
      runningRing.hidden = !message.status.running;
      break;
    case 'progress':
      statusSection.progress(message.reset, message.runs);
      break;
    case 'history':
      historySection.update(message.items);
      statusSection.setHistoryCount(message.items.length);
      paintBadges();
      break;
    case 'note':
      catalogSection.note(message.noteId, message.note);
      break;
    case 'notice':
      catalogSection.setNotice(message.level, message.message);
      break;
    case 'reportForTests':
      tests.start();
      break;
  }
  scheduleReport();
}

let scrollTimer: number | undefined;
window.addEventListener('scroll', () => {
  if (scrollTimer !== undefined) return;
  scrollTimer = window.setTimeout(() => {
    scrollTimer = undefined;
    viewState.scrollY = window.scrollY;
    saveViewState();
  }, 200);
});

listen(handle);
send({ type: 'ready' });
