/**
 * Checking one message against its channel's schema, shared by every channel (probe process,
 * panel, sidebar) and by both sides of each. Imports only zod, so webview bundles can use it.
 */
import type { z } from 'zod';

export type Parsed<T> = { ok: true; value: T } | { ok: false; error: string };

/** A one-line reason instead of a throw: `<message type>: <field>: <problem>`. */
export function parseWith<T>(schema: z.ZodType<T>, raw: unknown): Parsed<T> {
  const result = schema.safeParse(raw);
  if (result.success) return { ok: true, value: result.data };
  const issue = result.error.issues[0];
  const kind = typeof raw === 'object' && raw !== null && 'type' in raw ? String((raw as { type: unknown }).type).slice(0, 40) : typeof raw;
  return { ok: false, error: `${kind}: ${issue ? `${issue.path.join('.') || 'message'}: ${issue.message}` : 'invalid'}` };
}
