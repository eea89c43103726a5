/** The explanatory notes under media/notes/: front matter (id, title, summary) + markdown body. */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

export interface Note {
  id: string;
  title: string;
  summary: string;
  body: string;
}

export function parseNote(text: string, fallbackId: string): Note {
  const m = /^---\r?\n([\s\S]*?)\r?\n---\r?\n?([\s\S]*)$/.exec(text);
  const fields: Record<string, string> = {};
  let body = text;
  if (m) {
    body = m[2];
    for (const line of m[1].split(/\r?\n/)) {
      const kv = /^([A-Za-z]+):\s*(.*)$/.exec(line);
      if (kv) fields[kv[1]] = kv[2].trim();
    }
  }
  return { id: fields.id ?? fallbackId, title: fields.title ?? fallbackId, summary: fields.summary ?? '', body: body.trim() };
}

export function notesDir(): string {
  const candidates = [join(__dirname, '..', 'media', 'notes'), join(__dirname, '..', '..', 'media', 'notes')];
  return candidates.find((d) => existsSync(d)) ?? candidates[0];
}

const cache = new Map<string, Note>();

export function loadNote(id: string, dir = notesDir()): Note | undefined {
  if (!/^[a-z0-9-]+$/.test(id)) return undefined;
  const key = `${dir}\0${id}`;
  const hit = cache.get(key);
  if (hit) return hit;
  const file = join(dir, `${id}.md`);
  if (!existsSync(file)) return undefined;
  const note = parseNote(readFileSync(file, 'utf8'), id);
  cache.set(key, note);
  return note;
}

export function listNotes(dir = notesDir()): Note[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((f) => f.endsWith('.md'))
    .sort()
    .map((f) => loadNote(f.slice(0, -3), dir))
    .filter((n): n is Note => n !== undefined);
}
