/**
 * Typed mirror of `contributes.configuration`: reads through VS Code (and Workspace Trust),
 * validates with the pure core in settingsCore.ts.
 */
import * as vscode from 'vscode';
import { RESTRICTED_KEYS, resolveDataSetting, settingsFrom } from './settingsCore';
import type { InitLensSettings, Reader } from './settingsCore';

export * from './settingsCore';

export const SECTION = 'initlens';

/** Current settings. VS Code already hides restricted workspace values when untrusted; we say which. */
export function readSettings(scope?: vscode.ConfigurationScope): InitLensSettings {
  const cfg = vscode.workspace.getConfiguration(SECTION, scope);
  const ignoredForTrust: string[] = [];
  if (!vscode.workspace.isTrusted) {
    for (const key of RESTRICTED_KEYS) {
      const info = cfg.inspect(key);
      if (info && (info.workspaceValue !== undefined || info.workspaceFolderValue !== undefined)) ignoredForTrust.push(key);
    }
  }
  const read: Reader = <T>(key: string, fallback: T): T => {
    if (ignoredForTrust.includes(key)) {
      const info = cfg.inspect<T>(key);
      return (info?.globalValue ?? info?.defaultValue ?? fallback) as T;
    }
    return cfg.get<T>(key, fallback);
  };
  const settings = { ...settingsFrom(read), ignoredForTrust };
  settings.config.data = resolveDataSetting(settings.config.data, vscode.workspace.workspaceFolders?.[0]?.uri.fsPath);
  return settings;
}

/** Writes one setting (from the sidebar form) at user level unless the workspace already sets it. */
export async function writeSetting(key: string, value: unknown): Promise<void> {
  const cfg = vscode.workspace.getConfiguration(SECTION);
  const info = cfg.inspect(key);
  const target = info?.workspaceValue !== undefined ? vscode.ConfigurationTarget.Workspace : vscode.ConfigurationTarget.Global;
  await cfg.update(key, value, target);
}

export function affectsInitLens(e: vscode.ConfigurationChangeEvent): boolean {
  return e.affectsConfiguration(SECTION);
}
