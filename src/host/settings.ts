/**
 * Typed mirror of `contributes.configuration`: reads through VS Code (and Workspace Trust),
 * validates with the pure core in settingsCore.ts.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as vscode from 'vscode';
import { RESTRICTED_KEYS, resolveDataSetting, restrictedKeysIn, settingsFrom } from './settingsCore';
import type { InitLensSettings, Reader } from './settingsCore';

export * from './settingsCore';

export const SECTION = 'initlens';

/** Restricted keys set by the workspace's own settings files (read only while untrusted). */
function restrictedKeysInWorkspaceFiles(): Set<string> {
  const keys = new Set<string>();
  const files: { path: string; section?: 'settings' }[] = (vscode.workspace.workspaceFolders ?? [])
    .filter((f) => f.uri.scheme === 'file')
    .map((f) => ({ path: join(f.uri.fsPath, '.vscode', 'settings.json') }));
  const workspaceFile = vscode.workspace.workspaceFile;
  if (workspaceFile?.scheme === 'file') files.push({ path: workspaceFile.fsPath, section: 'settings' });
  for (const { path, section } of files) {
    let text: string;
    try {
      text = readFileSync(path, 'utf8');
    } catch {
      continue; // no such file: nothing set there
    }
    for (const key of restrictedKeysIn(text, section)) keys.add(key);
  }
  return keys;
}

/**
 * Current settings. In an untrusted workspace VS Code hides the restricted workspace values
 * (package.json restrictedConfigurations) from us; we read with the user value or default in
 * their place, and say which ones the workspace set.
 */
export function readSettings(scope?: vscode.ConfigurationScope): InitLensSettings {
  const cfg = vscode.workspace.getConfiguration(SECTION, scope);
  const ignoredForTrust: string[] = [];
  if (!vscode.workspace.isTrusted) {
    const inFiles = restrictedKeysInWorkspaceFiles();
    for (const key of RESTRICTED_KEYS) {
      const info = cfg.inspect(key);
      if (inFiles.has(key) || (info && (info.workspaceValue !== undefined || info.workspaceFolderValue !== undefined))) ignoredForTrust.push(key);
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
