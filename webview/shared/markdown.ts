/**
 * The one markdown policy for notes in both webviews: markdown-it without raw HTML, then
 * DOMPurify with no <style>, no <img> and no style attributes (the CSP forbids inline styles
 * anyway), and links kept as text: a note is read here, not browsed, and a followed link
 * would navigate the webview away.
 */
import MarkdownIt from 'markdown-it';
import DOMPurify from 'dompurify';

const md = new MarkdownIt({ html: false, linkify: false, typographer: false });

/** A note's markdown as sanitized nodes; `title` drops the note's own `# Title` where a heading already shows it. */
export function renderMarkdown(body: string, title?: string): DocumentFragment {
  const text = title ? body.replace(new RegExp(`^#\\s+${title.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\s*\\n`), '') : body;
  const fragment = DOMPurify.sanitize(md.render(text), { RETURN_DOM_FRAGMENT: true, FORBID_TAGS: ['style', 'img'], FORBID_ATTR: ['style'] });
  for (const a of Array.from(fragment.querySelectorAll('a'))) {
    a.removeAttribute('href');
    a.setAttribute('role', 'text');
  }
  return fragment;
}
