/**
 * History rows as the sidebar shows them: when, network, each initializer with its final
 * held-out accuracy and flags. Pure; the entries come from workspaceState, so anything odd in
 * them is skipped rather than trusted.
 */
import type { HistoryEntry } from '../host/history';
import { formatPercent } from '../view/number';

export interface HistoryRunSummary {
  initializer: string;
  /** '93.1%', or '—' when the run has no final accuracy (failed, cancelled, diverged). */
  accuracy: string;
  flags: string[];
}

export interface HistoryItem {
  id: string;
  when: string;
  /** ISO time, for a tooltip. */
  at: string;
  network: string;
  runs: HistoryRunSummary[];
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

const two = (n: number): string => String(n).padStart(2, '0');

/** Short local time: '14:03' today, 'yesterday 14:03', 'Nov 28, 14:03' this year, else '2023-11-28'. */
export function formatWhen(iso: string, now: Date): string {
  const t = new Date(iso);
  if (Number.isNaN(t.getTime())) return 'unknown time';
  const time = `${two(t.getHours())}:${two(t.getMinutes())}`;
  const day = (d: Date): number => new Date(d.getFullYear(), d.getMonth(), d.getDate()).getTime();
  const days = Math.round((day(now) - day(t)) / 86_400_000);
  if (days === 0) return time;
  if (days === 1) return `yesterday ${time}`;
  if (t.getFullYear() === now.getFullYear()) return `${MONTHS[t.getMonth()]} ${t.getDate()}, ${time}`;
  return `${t.getFullYear()}-${two(t.getMonth() + 1)}-${two(t.getDate())}`;
}

export const formatAccuracy = formatPercent;

const isString = (v: unknown): v is string => typeof v === 'string';

/** One entry as a row; undefined for an entry too broken to show or reopen. */
export function historyItem(entry: HistoryEntry, now: Date): HistoryItem | undefined {
  if (typeof entry !== 'object' || entry === null || !isString(entry.id) || !/^[a-z0-9-]+$/.test(entry.id)) return undefined;
  const initializers = Array.isArray(entry.initializers) ? entry.initializers : [];
  const accuracies: unknown[] = Array.isArray(entry.accuracies) ? entry.accuracies : [];
  const flags: unknown[] = Array.isArray(entry.flags) ? entry.flags : [];
  return {
    id: entry.id,
    when: isString(entry.when) ? formatWhen(entry.when, now) : 'unknown time',
    at: isString(entry.when) ? entry.when : '',
    network: isString(entry.network) ? entry.network : 'unknown network',
    runs: initializers.map((initializer, i) => {
      const f = flags[i];
      return {
        initializer: isString(initializer) ? initializer : '?',
        accuracy: formatAccuracy(accuracies[i]),
        flags: Array.isArray(f) ? f.filter(isString) : [],
      };
    }),
  };
}

export function historyItems(entries: readonly HistoryEntry[], now: Date): HistoryItem[] {
  if (!Array.isArray(entries)) return [];
  return entries.map((e) => historyItem(e, now)).filter((i): i is HistoryItem => i !== undefined);
}
