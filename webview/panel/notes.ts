/** Notes beside the panel's flags, rendered with the webviews' one markdown policy (shared/markdown.ts). */
import type { PanelNote } from '../../src/protocol/panel';
import { renderMarkdown } from '../shared/markdown';

export function noteFragment(note: PanelNote): DocumentFragment {
  return renderMarkdown(note.body);
}
