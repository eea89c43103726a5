/**
 * The form's view of the settings: what each setting holds (as written, so a bad value stays
 * visible next to its reason), what the probe will use instead, and which workspace values the
 * Workspace Trust rules set aside. Reading and validation are src/host/settings.ts'.
 */
import * as vscode from 'vscode';
import { readSettings, SECTION } from '../host/settings';
import type { InitLensSettings } from '../host/settings';
import type { SettingsState } from '../protocol/sidebar';
import { displayValue, effectiveValue, problemKey, SETTING_KEYS, trustNotice } from '../view/settingsForm';
import type { SettingKey } from '../view/settingsForm';

export function settingsState(settings: InitLensSettings = readSettings()): SettingsState {
  const cfg = vscode.workspace.getConfiguration(SECTION);
  const ignored = settings.ignoredForTrust.filter((k): k is SettingKey => (SETTING_KEYS as readonly string[]).includes(k));
  const raw = (key: SettingKey): unknown => {
    // Same rule as readSettings: an ignored workspace value gives way to the user's or the default.
    if (ignored.includes(key)) {
      const info = cfg.inspect(key);
      return info?.globalValue ?? info?.defaultValue;
    }
    return cfg.get(key);
  };
  const values = Object.fromEntries(SETTING_KEYS.map((k) => [k, displayValue(raw(k))])) as Record<SettingKey, string>;
  const effective = Object.fromEntries(SETTING_KEYS.map((k) => [k, effectiveValue(k, settings.config, settings.jobs, settings.seeds)])) as Record<SettingKey, string>;
  const problems = settings.problems
    .map((p) => ({ key: problemKey(p.key), message: p.message.split('\n')[0] }))
    .filter((p): p is { key: SettingKey; message: string } => p.key !== undefined);
  const state: SettingsState = { values, effective, config: settings.config, problems, ignoredForTrust: ignored };
  const notice = trustNotice(ignored);
  if (notice) state.trustNotice = notice;
  return state;
}

/** The keys of a change event the sidebar cares about (it ignores initlens.diagnostics.*). */
export function changedKeys(e: vscode.ConfigurationChangeEvent): SettingKey[] {
  return SETTING_KEYS.filter((k) => e.affectsConfiguration(`${SECTION}.${k}`));
}
