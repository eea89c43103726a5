/**
 * Checking one message against its channel's schema, shared by every channel (probe process,
 * panel, sidebar) and by both sides of each. Imports only zod, so webview bundles can use it.
 */
import type { z } from 'zod';

export type Parsed<T> = { ok: true; value: T } | { ok: false; error: string };

/** The first line of an error's message: what a user is shown, never a stack. */
export function firstLine(err: unknown): string {
  return (err instanceof Error ? err.message : String(err)).split('\n')[0];
}

/** A failed parse in one line, `<field>: <problem>`; `whole` names the value when the fault is not in a field. */
export function issueLine(error: z.ZodError, whole = 'argument'): string {
  const issue = error.issues[0];
  return issue ? `${issue.path.join('.') || whole}: ${issue.message}` : `${whole}: invalid`;
}

/** A one-line reason instead of a throw: `<message type>: <field>: <problem>`. */
export function parseWith<T>(schema: z.ZodType<T>, raw: unknown): Parsed<T> {
  const result = schema.safeParse(raw);
  if (result.success) return { ok: true, value: result.data };
  const kind = typeof raw === 'object' && raw !== null && 'type' in raw ? String((raw as { type: unknown }).type).slice(0, 40) : typeof raw;
  return { ok: false, error: `${kind}: ${issueLine(result.error, 'message')}` };
}
