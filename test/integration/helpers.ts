// Shared by the integration suites: the extension under test and the fixture workspace.
import Mocha from 'mocha';
import * as vscode from 'vscode';

export const extensionId = 'initlens.initlens';

export function initLens(): vscode.Extension<unknown> {
  const extension = vscode.extensions.getExtension(extensionId);
  if (!extension) throw new Error(`${extensionId} is not loaded (is extensionDevelopmentPath the repository?)`);
  return extension;
}

export function workspaceFile(relativePath: string): vscode.Uri {
  const folder = vscode.workspace.workspaceFolders?.[0];
  if (!folder) throw new Error('no workspace folder open: the launcher opens test/fixtures/workspace');
  return vscode.Uri.joinPath(folder.uri, relativePath);
}

/** Opens a fixture file in an editor, as a person would; returns its editor. */
export async function openFixture(relativePath: string): Promise<vscode.TextEditor> {
  const document = await vscode.workspace.openTextDocument(workspaceFile(relativePath));
  return vscode.window.showTextDocument(document);
}

/** Polls until `check` returns true; VS Code does many things asynchronously. */
export async function waitFor(what: string, check: () => boolean | Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
}

/**
 * Prints a line in the test report (through mocha's reporter output, which the code-server
 * launcher relays; a plain console.log there lands only in the workbench log).
 */
export function log(...args: unknown[]): void {
  Mocha.reporters.Base.consoleLog(...args);
}
