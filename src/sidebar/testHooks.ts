/**
 * The sidebar's test hooks, all in one place: what the integration tests read through the
 * test-only command `initlens._sidebarState`, and a way to hand the host a message as the
 * webview would (`initlens._sidebarReceive`, through the same validation). Registered only in
 * test mode; never in the manifest. In test mode the view asks its page for a test report
 * (src/protocol/testReports.ts) when the page says ready; the latest is kept here.
 */
import * as vscode from 'vscode';
import type { RunRequest } from '../protocol';
import type { HostToSidebar } from '../protocol/sidebar';
import type { SidebarTestReport } from '../protocol/testReports';
import type { Selection } from './selection';

/** What tests read through `initlens._sidebarState`. */
export interface SidebarTestState {
  ready: boolean;
  visible: boolean;
  report: SidebarTestReport | undefined;
  selection: Selection;
  lastRequests: { label: string; initializer: string; hidden: number[]; steps: number; activation: string }[];
  session: { running: boolean; runs: { initializer: string; status: string }[] };
  dropped: number;
  /** The host's latest answer per field to setSetting. */
  fieldResults: Record<string, { value: string; problem?: string }>;
}

/** What the host records for the tests as it works (cheap; kept in every mode). */
export class SidebarTestRecorder {
  report: SidebarTestReport | undefined;
  lastRequests: RunRequest[] = [];
  dropped = 0;
  readonly fieldResults: SidebarTestState['fieldResults'] = {};

  posted(message: HostToSidebar): void {
    if (message.type === 'fieldResult') this.fieldResults[message.key] = { value: message.value, ...(message.problem !== undefined ? { problem: message.problem } : {}) };
  }

  state(view: { ready: boolean; visible: boolean; selection: Selection; running: boolean; runs: { initializer: string; status: string }[] }): SidebarTestState {
    return {
      ready: view.ready,
      visible: view.visible,
      report: this.report,
      selection: view.selection,
      lastRequests: this.lastRequests.map((r) => ({
        label: r.label,
        initializer: r.initializer,
        hidden: r.config.hidden,
        steps: r.config.steps,
        activation: r.config.activation,
      })),
      session: { running: view.running, runs: view.runs },
      dropped: this.dropped,
      fieldResults: { ...this.fieldResults },
    };
  }
}

export function registerSidebarTestHooks(view: { testState(): SidebarTestState; receive(message: unknown): Promise<boolean> }): vscode.Disposable[] {
  return [
    vscode.commands.registerCommand('initlens._sidebarState', () => view.testState()),
    vscode.commands.registerCommand('initlens._sidebarReceive', (message: unknown) => view.receive(message)),
  ];
}
