/**
 * Pure core of the typed settings: validation field by field, no VS Code import (unit-tested).
 * A bad value falls back to its default and is reported (sidebar form inline, notification on
 * Compare), so one typo never blocks a probe nor silently changes it.
 */
import { BACKENDS, ConfigError, DEFAULT_CONFIG, OPTIMIZERS, isActivation, parseHidden, validateConfig } from '../probe/config';
import type { ProbeConfig } from '../probe/config';
import { LIMITS, settingKeyFor } from '../protocol/vocabulary';
import { parse as parseJsonc } from 'jsonc-parser';
import { isAbsolute, resolve } from 'node:path';

/** Mirrors package.json's capabilities.untrustedWorkspaces.restrictedConfigurations. */
export const RESTRICTED_KEYS = ['dataSource', 'backend', 'parallelJobs'] as const;

/**
 * The restricted keys a workspace settings file sets (its text, JSONC as VS Code reads it).
 * In Restricted Mode VS Code hides those values from extensions entirely (inspect() returns no
 * workspace value), so to tell a person which of their workspace settings are being ignored we
 * read the file ourselves. `section` is 'settings' for a .code-workspace file, whose settings
 * sit under that key. Unreadable or malformed text sets nothing.
 */
export function restrictedKeysIn(text: string, section?: 'settings'): string[] {
  const parsed: unknown = parseJsonc(text, [], { allowTrailingComma: true });
  const root = section && isRecord(parsed) ? parsed[section] : parsed;
  if (!isRecord(root)) return [];
  return RESTRICTED_KEYS.filter((key) => root[`initlens.${key}`] !== undefined
    || (isRecord(root.initlens) && root.initlens[key] !== undefined));
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export interface DiagnosticsSettings {
  enabled: boolean;
  symmetricKernel: boolean;
  heWithSaturating: boolean;
  glorotInDeepRelu: boolean;
  deepStackDepth: number;
  randomScale: boolean;
  seluWithoutLecun: boolean;
}

export interface SettingProblem {
  /** Key under `initlens.` */
  key: string;
  message: string;
}

export interface InitLensSettings {
  config: ProbeConfig;
  /** Parallel probe processes; 0 = number of cores. */
  jobs: number;
  /** Seeds per initializer in the panel's and the sidebar's comparisons (1 = one run each). */
  seeds: number;
  diagnostics: DiagnosticsSettings;
  problems: SettingProblem[];
  /** Restricted keys whose workspace value is being ignored because the workspace is untrusted. */
  ignoredForTrust: string[];
}

export type Reader = <T>(key: string, fallback: T) => T;

/** Pure core: settings from a reader (tests pass a plain object), validated field by field. */
export function settingsFrom(read: Reader): Omit<InitLensSettings, 'ignoredForTrust'> {
  const problems: SettingProblem[] = [];
  const config: ProbeConfig = { ...DEFAULT_CONFIG };
  const take = <T>(key: string, apply: (value: unknown) => T | undefined): T | undefined => {
    try {
      return apply(read<unknown>(key, undefined));
    } catch (err) {
      problems.push({ key, message: (err as Error).message });
      return undefined;
    }
  };
  const num = (key: string, what: string, check: (n: number) => boolean, hint: string): number | undefined =>
    take(key, (v) => {
      if (v === undefined || v === null) return undefined;
      if (typeof v !== 'number' || !Number.isFinite(v) || !check(v)) throw new ConfigError(key, `${what}: ${JSON.stringify(v)} is not valid; ${hint}`);
      return v;
    });
  const hidden = take('hiddenLayers', (v) => (v === undefined ? undefined : parseHidden(String(v))));
  if (hidden) config.hidden = hidden;
  const activation = take('activation', (v) => {
    if (v === undefined) return undefined;
    if (typeof v !== 'string' || !isActivation(v)) throw new ConfigError('activation', `activation: unknown '${String(v)}'`);
    return v;
  });
  if (activation) config.activation = activation;
  const optimizer = take('optimizer', (v) => {
    if (v === undefined) return undefined;
    if (!(OPTIMIZERS as readonly unknown[]).includes(v)) throw new ConfigError('optimizer', `optimizer: unknown '${String(v)}'; use adam or sgd`);
    return v as ProbeConfig['optimizer'];
  });
  if (optimizer) config.optimizer = optimizer;
  const backend = take('backend', (v) => {
    if (v === undefined) return undefined;
    if (!(BACKENDS as readonly unknown[]).includes(v)) throw new ConfigError('backend', `backend: unknown '${String(v)}'`);
    return v as ProbeConfig['backend'];
  });
  if (backend) config.backend = backend;
  const isInt = (min: number, max: number) => (n: number) => Number.isInteger(n) && n >= min && n <= max;
  config.lr = num('learningRate', 'learning rate', (n) => n > 0 && n <= LIMITS.maxLr, `use a number in (0, ${LIMITS.maxLr}]`) ?? config.lr;
  config.batch = num('batchSize', 'batch size', isInt(1, LIMITS.maxBatch), `use a whole number from 1 to ${LIMITS.maxBatch}`) ?? config.batch;
  config.steps = num('steps', 'steps', isInt(1, LIMITS.maxSteps), `use a whole number from 1 to ${LIMITS.maxSteps.toLocaleString('en-US')}`) ?? config.steps;
  config.every = num('statsInterval', 'stats interval', isInt(1, LIMITS.maxSteps), 'use a whole number ≥ 1') ?? config.every;
  config.seed = num('seed', 'seed', isInt(0, LIMITS.maxSeed), 'use a whole number ≥ 0') ?? config.seed;
  const data = take('dataSource', (v) => {
    if (v === undefined) return undefined;
    if (typeof v !== 'string' || v.trim() === '') throw new ConfigError('dataSource', 'data source: empty; use auto, mnist, an .npz file or an IDX folder');
    return v.trim();
  });
  if (data) config.data = data;
  const seeds = num('seeds', 'seeds', isInt(1, LIMITS.maxSeeds), `use a whole number from 1 to ${LIMITS.maxSeeds}`) ?? 1;
  const jobs = num('parallelJobs', 'parallel jobs', isInt(0, LIMITS.maxParallelJobs), `use 0 (= cores) to ${LIMITS.maxParallelJobs}`) ?? 0;
  try {
    validateConfig(config);
  } catch (err) {
    problems.push({ key: settingKeyFor((err as ConfigError).field) ?? 'hiddenLayers', message: (err as Error).message });
  }
  const bool = (key: string): boolean => read<unknown>(key, true) !== false;
  const depth = num('diagnostics.deepStackDepth', 'deep stack depth', isInt(LIMITS.minDeepStackDepth, LIMITS.maxDeepStackDepth), `use a whole number ≥ ${LIMITS.minDeepStackDepth}`) ?? 8;
  return {
    config,
    jobs,
    seeds,
    diagnostics: {
      enabled: bool('diagnostics.enabled'),
      symmetricKernel: bool('diagnostics.symmetricKernel'),
      heWithSaturating: bool('diagnostics.heWithSaturating'),
      glorotInDeepRelu: bool('diagnostics.glorotInDeepRelu'),
      deepStackDepth: depth,
      randomScale: bool('diagnostics.randomScale'),
      seluWithoutLecun: bool('diagnostics.seluWithoutLecun'),
    },
    problems,
  };
}

/**
 * A relative data path in settings means relative to the workspace, not to wherever VS Code
 * was started; `~` and keywords (auto, mnist, bundled) are left to the engine's resolver.
 */
export function resolveDataSetting(data: string, workspaceRoot: string | undefined): string {
  if (['auto', 'mnist', 'bundled'].includes(data) || data.startsWith('~') || isAbsolute(data) || !workspaceRoot) return data;
  return resolve(workspaceRoot, data);
}
