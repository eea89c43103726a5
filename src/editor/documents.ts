/**
 * Which documents InitLens reads, and their scans cached per URI and version, so the hover,
 * the diagnostics, the quick fixes and the CodeLens of one edit share one scan.
 */
import * as vscode from 'vscode';
import type { SourceLanguage } from './lexer';
import { scanSource } from './scanner';
import type { SourceModel } from './sourceModel';
import { modelLenses } from './modelPlan';
import type { ModelLens } from './modelPlan';

/** Python, JavaScript and TypeScript files, and the Python cells of Jupyter notebooks. */
export const DOCUMENT_SELECTOR: vscode.DocumentSelector = [
  { language: 'python' },
  { language: 'javascript' },
  { language: 'typescript' },
  { language: 'javascriptreact' },
  { language: 'typescriptreact' },
  { notebookType: 'jupyter-notebook', language: 'python' },
];

const LANGUAGES: Record<string, SourceLanguage> = {
  python: 'python',
  javascript: 'javascript',
  typescript: 'javascript',
  javascriptreact: 'javascript',
  typescriptreact: 'javascript',
};

export function sourceLanguage(document: vscode.TextDocument): SourceLanguage | undefined {
  return vscode.languages.match(DOCUMENT_SELECTOR, document) > 0 ? LANGUAGES[document.languageId] : undefined;
}

/** The file a document belongs to, for titles: a notebook cell gives its notebook's name. */
export function fileLabel(document: vscode.TextDocument): string {
  return document.uri.path.split('/').pop() ?? document.uri.path;
}

/** Documents kept scanned at once (least recently scanned first out). */
const MAX_CACHED = 64;
/**
 * Beyond this a document is not scanned at all: some 20,000 lines, whose scan (~100 ms) on every
 * pause in typing would stall the extension host. Model code is shorter; bundles are not models.
 */
export const MAX_SCANNED_CHARS = 1_000_000;

export class DocumentModels implements vscode.Disposable {
  private readonly cache = new Map<string, { version: number; model: SourceModel; lenses?: ModelLens[] }>();

  /** The scan of a document's current version; undefined for documents InitLens doesn't read. */
  get(document: vscode.TextDocument): SourceModel | undefined {
    const language = sourceLanguage(document);
    if (!language) return undefined;
    const key = document.uri.toString();
    const hit = this.cache.get(key);
    if (hit && hit.version === document.version) return hit.model;
    const text = document.getText();
    if (text.length > MAX_SCANNED_CHARS) return undefined;
    const model = scanSource(text, language);
    this.cache.delete(key);
    this.cache.set(key, { version: document.version, model });
    while (this.cache.size > MAX_CACHED) this.cache.delete(this.cache.keys().next().value as string);
    return model;
  }

  /** The models of a document's current version as the probe builds them (CodeLens), or why not; [] for documents InitLens doesn't read. */
  lenses(document: vscode.TextDocument): ModelLens[] {
    const model = this.get(document);
    if (!model) return [];
    const entry = this.cache.get(document.uri.toString());
    if (!entry) return [];
    entry.lenses ??= modelLenses(document.getText(), model.language, fileLabel(document), model);
    return entry.lenses;
  }

  forget(document: vscode.TextDocument): void {
    this.cache.delete(document.uri.toString());
  }

  dispose(): void {
    this.cache.clear();
  }
}
