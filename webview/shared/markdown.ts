/** Notes' markdown to sanitized DOM: markdown-it without raw HTML, then DOMPurify. */
import MarkdownIt from 'markdown-it';
import DOMPurify from 'dompurify';

const md = new MarkdownIt({ html: false, linkify: false, typographer: false });

export function renderMarkdown(body: string, title?: string): DocumentFragment {
  // The note's own `# Title` repeats the heading the sidebar already shows.
  const text = title ? body.replace(new RegExp(`^#\\s+${title.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\s*\\n`), '') : body;
  const fragment = DOMPurify.sanitize(md.render(text), { RETURN_DOM_FRAGMENT: true, FORBID_TAGS: ['style', 'img'] });
  // Links would navigate the webview away; notes are read here, not browsed.
  for (const a of Array.from(fragment.querySelectorAll('a'))) {
    a.removeAttribute('href');
    a.setAttribute('role', 'text');
  }
  return fragment;
}
