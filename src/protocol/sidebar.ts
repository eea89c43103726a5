/**
 * Channel: extension host ⇄ sidebar webview (`initlens.sidebar`). One discriminated union per
 * direction with runtime validators; both sides parse every message and drop (and log) what
 * does not fit. The webview says `ready` first; the host answers with a snapshot, then deltas.
 *
 * The probe config travels in the probe channel's own schema (./index.ts).
 */
import { z } from 'zod';
import { parseWith } from './parse';
import { probeConfigSchema } from './index';
import type { Parsed } from './parse';
import { BACKENDS, DATA_KINDS, RUN_STATUSES, SETTING_KEYS } from './vocabulary';
import { reportForTestsSchema, sidebarTestReportMessageSchema } from './testReports';

const text = (max = 4000) => z.string().max(max);
const id = z.string().min(1).max(200);

export const settingKeySchema = z.enum(SETTING_KEYS);

/** The config in effect (after settingsFrom's fallbacks), so the webview checks fields against it. */
export const effectiveConfigSchema = probeConfigSchema;

const settingValues = z.object(Object.fromEntries(SETTING_KEYS.map((k) => [k, text()])) as Record<(typeof SETTING_KEYS)[number], z.ZodString>);

export const settingsStateSchema = z.object({
  /** What each setting holds, as the form shows it (restricted keys: the value actually used). */
  values: settingValues,
  /** What each field falls back to while its setting is bad. */
  effective: settingValues,
  config: effectiveConfigSchema,
  problems: z.array(z.object({ key: settingKeySchema, message: text() })).max(100),
  /** Restricted keys whose workspace value is ignored in this untrusted workspace. */
  ignoredForTrust: z.array(settingKeySchema).max(SETTING_KEYS.length),
  trustNotice: text().optional(),
});
export type SettingsState = z.infer<typeof settingsStateSchema>;

export const catalogItemSchema = z.object({
  id,
  className: text(100),
  formula: text(),
  summary: text(),
  noteId: id,
  suits: z.array(text(40)).max(20),
});
export type CatalogItem = z.infer<typeof catalogItemSchema>;

export const selectionStateSchema = z.object({
  selected: z.array(text(400)).max(200),
  custom: z.array(z.object({ text: text(400), canonical: text(), error: text().optional() })).max(100),
});
export type SelectionState = z.infer<typeof selectionStateSchema>;

const runStatus = z.enum(RUN_STATUSES);

export const runProgressSchema = z.object({
  runId: id,
  label: text(400),
  status: runStatus,
  step: z.number().int().nonnegative(),
  steps: z.number().int().nonnegative(),
  flags: z.array(text(40)).max(20),
  error: text().optional(),
});
export type RunProgress = z.infer<typeof runProgressSchema>;

const meanIntervalSchema = z.object({ mean: z.number().nullable(), low: z.number().nullable(), high: z.number().nullable() });

/** Several seeds per initializer (initlens.seeds): the engine's summary of one initializer, as the sidebar shows it. */
export const seedRowSchema = z.object({
  initializer: text(400),
  seeds: z.number().int().nonnegative(),
  finished: z.number().int().nonnegative(),
  /** Final held-out accuracy over the finished seeds: mean and 95% interval (fractions). */
  accuracy: meanIntervalSchema,
  /** "92.4% [91.8%, 93.0%] held-out · loss 0.25 [0.23, 0.27] · 2 of 2 seeds". */
  text: text(),
});
export type SeedRow = z.infer<typeof seedRowSchema>;

export const statusStateSchema = z.object({
  backend: z.object({ name: text(40), detail: text(), measured: z.boolean(), setting: z.enum(BACKENDS) }),
  data: z.discriminatedUnion('ok', [
    z.object({ ok: z.literal(true), setting: text(), kind: z.enum(DATA_KINDS), description: text(), size: text(40), path: text() }),
    z.object({ ok: z.literal(false), setting: text(), error: text() }),
  ]),
  running: z.boolean(),
  /** PyTorch runs: the interpreter they would use and why, its torch and device, or why they cannot run. */
  python: z
    .object({ executable: text().optional(), why: text(), torch: text(40).nullable(), device: text(80).nullable(), problem: text().optional() })
    .optional(),
  /** The comparison shown ran several seeds per initializer: one row per initializer, and what the band is. */
  seeds: z.object({ caption: text(), rows: z.array(seedRowSchema).max(100) }).optional(),
});
export type StatusState = z.infer<typeof statusStateSchema>;

export const historyItemSchema = z.object({
  id: z.string().regex(/^[a-z0-9-]+$/).max(100),
  when: text(60),
  at: text(60),
  network: text(),
  runs: z.array(z.object({ initializer: text(400), accuracy: text(20), flags: z.array(text(40)).max(20) })).max(200),
});

export const noteSchema = z.object({ id, title: text(200), summary: text(), body: text(100_000) });

/** Host → sidebar webview. */
export const hostToSidebarSchema = z.discriminatedUnion('type', [
  z.object({
    type: z.literal('snapshot'),
    settings: settingsStateSchema,
    catalog: z.array(catalogItemSchema).max(100),
    selection: selectionStateSchema,
    status: statusStateSchema,
    progress: z.array(runProgressSchema).max(1000),
    history: z.array(historyItemSchema).max(100),
  }),
  z.object({ type: z.literal('settings'), settings: settingsStateSchema }),
  /** Answer to setSetting: written (no problem) or refused with the one-line reason. */
  z.object({ type: z.literal('fieldResult'), key: settingKeySchema, value: text(), problem: text().optional() }),
  z.object({ type: z.literal('selection'), selection: selectionStateSchema }),
  /** Answer to addCustom. */
  z.object({
    type: z.literal('customResult'),
    text: text(),
    ok: z.boolean(),
    message: text(),
    suggestions: z.array(text(100)).max(20),
  }),
  z.object({ type: z.literal('status'), status: statusStateSchema }),
  /** Progress of the runs in flight; `reset` replaces the list (a new comparison began). */
  z.object({ type: z.literal('progress'), reset: z.boolean(), runs: z.array(runProgressSchema).max(1000) }),
  z.object({ type: z.literal('history'), items: z.array(historyItemSchema).max(100) }),
  z.object({ type: z.literal('note'), noteId: id, note: noteSchema.nullable() }),
  /** Outcome of Compare/Stop/history actions, shown under the buttons. */
  z.object({ type: z.literal('notice'), level: z.enum(['info', 'warning', 'error']), message: text() }),
  reportForTestsSchema,
]);
export type HostToSidebar = z.infer<typeof hostToSidebarSchema>;

/** Sidebar webview → host. */
export const sidebarToHostSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('ready') }),
  /** A field the person changed, as typed; the host checks it again before writing. */
  z.object({ type: z.literal('setSetting'), key: settingKeySchema, value: text() }),
  z.object({ type: z.literal('setChecked'), text: text(400), checked: z.boolean() }),
  z.object({ type: z.literal('addCustom'), text: text() }),
  z.object({ type: z.literal('removeCustom'), text: text(400) }),
  z.object({ type: z.literal('requestNote'), noteId: id }),
  z.object({ type: z.literal('compare') }),
  z.object({ type: z.literal('stop') }),
  z.object({ type: z.literal('openHistory'), id: text(100) }),
  z.object({ type: z.literal('deleteHistory'), id: text(100) }),
  z.object({ type: z.literal('clearHistory') }),
  z.object({ type: z.literal('manageTrust') }),
  z.object({ type: z.literal('openSettings') }),
  sidebarTestReportMessageSchema,
]);
export type SidebarToHost = z.infer<typeof sidebarToHostSchema>;

export type { Parsed } from './parse';

export const parseSidebarMessage = (raw: unknown): Parsed<SidebarToHost> => parseWith(sidebarToHostSchema, raw);
export const parseHostMessage = (raw: unknown): Parsed<HostToSidebar> => parseWith(hostToSidebarSchema, raw);
