/**
 * Adapts rules.ts to VS Code: warnings (source InitLens, a code linking to the note) on open
 * Python, JavaScript and TypeScript documents and notebook cells, refreshed on edit (debounced),
 * on close and when an initlens.diagnostics setting changes.
 */
import * as vscode from 'vscode';
import { readSettings } from '../host/settings';
import { findProblems } from './rules';
import type { Finding } from './rules';
import type { DocumentModels } from './documents';
import { sourceLanguage } from './documents';

export const DIAGNOSTIC_SOURCE = 'InitLens';
const EDIT_DELAY_MS = 300;

export function noteUri(noteId: string): vscode.Uri {
  return vscode.Uri.parse(`command:initlens.openNote?${encodeURIComponent(JSON.stringify([noteId]))}`);
}

/** Current findings for a document under the current settings. */
export function findingsFor(models: DocumentModels, document: vscode.TextDocument): Finding[] {
  const model = models.get(document);
  if (!model) return [];
  return findProblems(model, readSettings(document.uri).diagnostics);
}

export function toDiagnostic(document: vscode.TextDocument, finding: Finding): vscode.Diagnostic {
  const range = new vscode.Range(document.positionAt(finding.start), document.positionAt(finding.end));
  const diagnostic = new vscode.Diagnostic(range, finding.message, vscode.DiagnosticSeverity.Warning);
  diagnostic.source = DIAGNOSTIC_SOURCE;
  diagnostic.code = { value: finding.rule, target: noteUri(finding.noteId) };
  return diagnostic;
}

export function registerDiagnostics(models: DocumentModels, log: vscode.LogOutputChannel): vscode.Disposable {
  const collection = vscode.languages.createDiagnosticCollection('initlens');
  const pending = new Map<string, ReturnType<typeof setTimeout>>();

  const update = (document: vscode.TextDocument): void => {
    if (!sourceLanguage(document) || document.isClosed) return;
    try {
      const scanError = models.get(document)?.scanError;
      if (scanError) log.warn(`scanning ${document.uri.toString()} stopped early: ${scanError}`);
      collection.set(document.uri, findingsFor(models, document).map((f) => toDiagnostic(document, f)));
    } catch (err) {
      // A scanner or rule bug must not break editing; say it once in the log.
      log.warn(`diagnostics for ${document.uri.toString()}: ${(err as Error).message}`);
    }
  };
  const later = (document: vscode.TextDocument): void => {
    const key = document.uri.toString();
    clearTimeout(pending.get(key));
    pending.set(
      key,
      setTimeout(() => {
        pending.delete(key);
        update(document);
      }, EDIT_DELAY_MS),
    );
  };
  const refreshAll = (): void => {
    for (const document of vscode.workspace.textDocuments) update(document);
  };

  const subscriptions = [
    collection,
    vscode.workspace.onDidOpenTextDocument(update),
    vscode.workspace.onDidChangeTextDocument((e) => {
      if (e.contentChanges.length > 0) later(e.document);
    }),
    vscode.workspace.onDidCloseTextDocument((document) => {
      clearTimeout(pending.get(document.uri.toString()));
      pending.delete(document.uri.toString());
      collection.delete(document.uri);
      models.forget(document);
    }),
    vscode.workspace.onDidChangeConfiguration((e) => {
      if (e.affectsConfiguration('initlens.diagnostics')) refreshAll();
    }),
  ];
  // Documents already open when InitLens activates: after activation returns, not during it.
  const initial = setTimeout(refreshAll, 0);
  return new vscode.Disposable(() => {
    clearTimeout(initial);
    for (const t of pending.values()) clearTimeout(t);
    pending.clear();
    for (const s of subscriptions) s.dispose();
  });
}
