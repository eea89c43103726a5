/** One setting edited in the sidebar's form: checked by the form's own rules, written, answered. */
import { readSettings, writeSetting } from '../host/settings';
import { oneLineReason } from '../probe/errors';
import type { HostToSidebar, SidebarToHost } from '../protocol/sidebar';
import { checkField } from '../view/settingsForm';

export async function applySettingField(message: Extract<SidebarToHost, { type: 'setSetting' }>, post: (message: HostToSidebar) => void): Promise<void> {
  const { key, value } = message;
  const settings = readSettings();
  if (settings.ignoredForTrust.includes(key)) {
    post({ type: 'fieldResult', key, value, problem: 'ignored: this workspace is not trusted' });
    return;
  }
  const check = checkField(key, value, settings.config);
  if (!check.ok) {
    post({ type: 'fieldResult', key, value, problem: check.problem });
    return;
  }
  try {
    await writeSetting(key, check.value);
    post({ type: 'fieldResult', key, value: String(check.value) });
  } catch (err) {
    post({ type: 'fieldResult', key, value, problem: `could not save: ${oneLineReason(err)}` });
  }
}
