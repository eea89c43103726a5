/**
 * Notes rendered in the webview: markdown-it with raw HTML off, then DOMPurify on the result,
 * then parsed into nodes (never assigned to innerHTML of the live page unsanitized). Cached per
 * note id: a note's text does not change while the panel lives.
 */
import MarkdownIt from 'markdown-it';
import DOMPurify from 'dompurify';
import type { PanelNote } from '../../src/protocol/panel';

const md = new MarkdownIt({ html: false, linkify: true, typographer: false });
const cache = new Map<string, string>();

export function noteHtml(note: PanelNote): string {
  const hit = cache.get(note.id);
  if (hit !== undefined) return hit;
  const clean = DOMPurify.sanitize(md.render(note.body), { USE_PROFILES: { html: true }, FORBID_TAGS: ['style', 'img'], FORBID_ATTR: ['style'] });
  cache.set(note.id, clean);
  return clean;
}

export function noteFragment(note: PanelNote): DocumentFragment {
  return document.createRange().createContextualFragment(noteHtml(note));
}
