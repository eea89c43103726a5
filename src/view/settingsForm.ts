/**
 * The sidebar's probe-settings form as pure data and pure checks, shared by the webview (instant
 * feedback while typing) and the host (which re-checks before writing: a webview is another
 * program). The checks are the engine's own: parseHidden and validateConfig on the config the
 * value would produce, so the form never accepts what a probe would refuse.
 */
import { ConfigError, parseHidden, validateConfig } from '../probe/config';
import { formatHidden } from './network';
import { ACTIVATIONS, BACKENDS, isSettingKey, LIMITS, OPTIMIZERS, SETTING_FIELDS, settingKeyFor } from '../protocol/vocabulary';
import type { SettingKey } from '../protocol/vocabulary';
import type { ProbeConfig } from '../protocol';
import { firstLine } from '../protocol/parse';

export { isSettingKey, SETTING_KEYS } from '../protocol/vocabulary';
export type { SettingKey } from '../protocol/vocabulary';

export type FieldGroup = 'network' | 'training' | 'execution';

export interface FieldSpec {
  key: SettingKey;
  label: string;
  group: FieldGroup;
  kind: 'text' | 'number' | 'select';
  options?: readonly string[];
  /** Shown under the field while it has no problem. */
  hint?: string;
  /** Tooltip: the setting's description. */
  description: string;
}

export const FIELDS: readonly FieldSpec[] = [
  {
    key: 'hiddenLayers',
    label: 'Hidden layers',
    group: 'network',
    kind: 'text',
    hint: '128, 256x8 or 512,256,128',
    description: 'Hidden layers of the probed network: 128, 256x8 (8 layers of 256) or 512,256,128.',
  },
  { key: 'activation', label: 'Activation', group: 'network', kind: 'select', options: ACTIVATIONS, description: 'Activation of the hidden layers.' },
  { key: 'optimizer', label: 'Optimizer', group: 'training', kind: 'select', options: OPTIMIZERS, description: 'Adam (Keras defaults) or SGD with momentum 0.9.' },
  { key: 'learningRate', label: 'Learning rate', group: 'training', kind: 'number', description: 'Learning rate, in (0, 10].' },
  { key: 'batchSize', label: 'Batch size', group: 'training', kind: 'number', description: 'Training batch size, 1 to 8192.' },
  { key: 'steps', label: 'Steps', group: 'training', kind: 'number', description: 'Training steps per probe.' },
  { key: 'statsInterval', label: 'Stats every', group: 'training', kind: 'number', description: 'Measure every layer every N steps (and at step 0).' },
  { key: 'seed', label: 'Seed', group: 'training', kind: 'number', description: 'Random seed: the same seed gives the same numbers.' },
  {
    key: 'seeds',
    label: 'Seeds',
    group: 'training',
    kind: 'number',
    hint: `1 to ${LIMITS.maxSeeds}; 2 or more: mean and 95% CI`,
    description: 'Seeds per initializer (seed, seed+1, …): with 2 or more the panel shows the mean and a 95% confidence interval over them. N seeds take about N times as long.',
  },
  {
    key: 'dataSource',
    label: 'Data source',
    group: 'execution',
    kind: 'text',
    hint: 'auto, mnist, an .npz file or an IDX folder',
    description: "auto (Keras' ~/.keras/datasets/mnist.npz when present, else the bundled 10,000 digits), mnist (bundled), a path to an .npz, or a folder of IDX files.",
  },
  { key: 'backend', label: 'Backend', group: 'execution', kind: 'select', options: BACKENDS, description: 'TensorFlow.js backend of the probe processes.' },
  {
    key: 'parallelJobs',
    label: 'Parallel jobs',
    group: 'execution',
    kind: 'number',
    hint: '0 = one per CPU core',
    description: 'Probes run in parallel; 0 = number of CPU cores.',
  },
];

export const GROUP_TITLES: Record<FieldGroup, string> = { network: 'Network', training: 'Training', execution: 'Execution' };

/** The form field a settings problem belongs to (settingsFrom mixes setting keys and config fields). */
export function problemKey(key: string): SettingKey | undefined {
  return settingKeyFor(key);
}

/** The manifest's `pattern` for initlens.hiddenLayers: what VS Code's settings editor accepts silently. */
const MANIFEST_HIDDEN_PATTERN = /^\s*\d+(\s*[xX×]\s*\d+)?(\s*,\s*\d+(\s*[xX×]\s*\d+)?)*\s*$/;

export type FieldCheck = { ok: true; value: string | number } | { ok: false; problem: string };

const NUMBER_WORDS: Partial<Record<SettingKey, string>> = {
  learningRate: 'learning rate',
  batchSize: 'batch size',
  steps: 'steps',
  statsInterval: 'stats interval',
  seed: 'seed',
  seeds: 'seeds',
  parallelJobs: 'parallel jobs',
};

function readNumber(key: SettingKey, raw: string): number {
  const what = NUMBER_WORDS[key] ?? key;
  const text = raw.trim();
  if (text === '') throw new ConfigError(key, `${what}: empty; enter a number`);
  // Number('') is 0 and Number('0x10') is 16: accept plain decimal notation only.
  if (!/^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i.test(text)) throw new ConfigError(key, `${what}: '${text.slice(0, 40)}' is not a number`);
  return Number(text);
}

function withValue(config: ProbeConfig, key: SettingKey, raw: string): { config: ProbeConfig; value: string | number } {
  switch (key) {
    case 'hiddenLayers': {
      const hidden = parseHidden(raw);
      // Keep the person's spelling when the settings editor would accept it; else its canonical form.
      const value = MANIFEST_HIDDEN_PATTERN.test(raw) ? raw.trim() : formatHidden(hidden);
      return { config: { ...config, hidden }, value };
    }
    case 'activation':
    case 'optimizer':
    case 'backend': {
      const options = FIELDS.find((f) => f.key === key)?.options ?? [];
      const value = raw.trim();
      if (!options.includes(value)) throw new ConfigError(key, `${key}: unknown '${value.slice(0, 40)}'; use ${options.join(', ')}`);
      return { config: { ...config, [key]: value }, value };
    }
    case 'dataSource': {
      const value = raw.trim();
      if (value === '') throw new ConfigError('data', 'data source: empty; use auto, mnist, an .npz file or an IDX folder');
      return { config: { ...config, data: value }, value };
    }
    case 'learningRate':
    case 'batchSize':
    case 'steps':
    case 'statsInterval':
    case 'seed': {
      const value = readNumber(key, raw);
      return { config: { ...config, [SETTING_FIELDS[key]]: value }, value };
    }
    case 'seeds': {
      const n = readNumber(key, raw);
      // Not part of ProbeConfig; the range is settingsFrom's (src/host/settingsCore.ts).
      const max = LIMITS.maxSeeds;
      if (!Number.isInteger(n) || n < 1 || n > max) throw new ConfigError(key, `seeds: ${n} is not valid; use a whole number from 1 to ${max}`);
      return { config, value: n };
    }
    case 'parallelJobs': {
      const n = readNumber(key, raw);
      // Not part of ProbeConfig; the range is settingsFrom's (src/host/settingsCore.ts).
      const max = LIMITS.maxParallelJobs;
      if (!Number.isInteger(n) || n < 0 || n > max) throw new ConfigError(key, `parallel jobs: ${n} is not valid; use 0 (= cores) to ${max}`);
      return { config, value: n };
    }
  }
}

function configProblem(config: ProbeConfig): string | undefined {
  try {
    validateConfig(config);
    return undefined;
  } catch (err) {
    return (err as Error).message;
  }
}

/**
 * Checks what a person typed into one field against the config in effect: the typed value
 * (number or text) to write, or the one-line reason it is refused. A problem the config already
 * had before this edit (another field's) is not blamed on this one.
 */
export function checkField(key: SettingKey, raw: string, current: ProbeConfig): FieldCheck {
  if (typeof raw !== 'string') return { ok: false, problem: `${key}: expected text` };
  try {
    const next = withValue(current, key, raw);
    const problem = configProblem(next.config);
    if (problem !== undefined && problem !== configProblem(current)) return { ok: false, problem };
    return { ok: true, value: next.value };
  } catch (err) {
    if (err instanceof ConfigError) return { ok: false, problem: firstLine(err) };
    return { ok: false, problem: `${key}: ${firstLine(err)}` };
  }
}

/** How a setting's value reads in the form (settings.json may hold any JSON value). */
export function displayValue(value: unknown): string {
  if (value === undefined || value === null) return '';
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return JSON.stringify(value);
}

/** What a field falls back to while its setting is bad: the value the probe will use. */
export function effectiveValue(key: SettingKey, config: ProbeConfig, jobs: number, seeds = 1): string {
  if (key === 'seeds') return String(seeds);
  const field = SETTING_FIELDS[key];
  if (field === undefined) return String(jobs);
  if (field === 'hidden') return formatHidden(config.hidden);
  return String(config[field]);
}

/** Human names of restricted keys, for the Workspace Trust notice. */
export function trustNotice(ignored: readonly string[]): string | undefined {
  const labels = ignored
    .map((k) => (isSettingKey(k) ? FIELDS.find((f) => f.key === k)?.label.toLowerCase() : undefined))
    .filter((l): l is string => l !== undefined);
  if (labels.length === 0) return undefined;
  const list = labels.length === 1 ? labels[0] : `${labels.slice(0, -1).join(', ')} and ${labels[labels.length - 1]}`;
  return `This workspace is not trusted: its ${list} ${labels.length === 1 ? 'setting is' : 'settings are'} ignored; your user settings or the defaults apply.`;
}
