/** Test mode: the extension runs under the integration tests (or INITLENS_TEST is set). Only then are test hooks registered and webviews asked for test reports. */
import * as vscode from 'vscode';

export function isTestMode(extension: vscode.ExtensionContext): boolean {
  return extension.extensionMode === vscode.ExtensionMode.Test || process.env.INITLENS_TEST !== undefined;
}
