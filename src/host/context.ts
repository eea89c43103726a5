import type * as vscode from 'vscode';
import type { ProbeSession } from './session';
import type { RunRequest } from '../protocol';
import type { ResultsDocument } from '../results';

/** What the Compare panel offers the rest of the extension (CodeLens, hovers, sidebar). */
export interface CompareApi {
  /**
   * Opens (or reveals) the panel and runs these requests in it. `skipped` lists layers of a
   * model in the editor that the probe cannot build (shown in the panel, not silently dropped).
   * Asks what to do when a comparison is already running.
   */
  runComparison(requests: RunRequest[], options?: { title?: string; skipped?: string[] }): Promise<void>;
  /** Opens the panel on a stored document (history) without re-running. */
  showDocument(doc: ResultsDocument, title?: string): Promise<void>;
}

/** The one object activate() builds and hands to every feature. */
export interface InitLensContext {
  extension: vscode.ExtensionContext;
  session: ProbeSession;
  log: vscode.LogOutputChannel;
}
