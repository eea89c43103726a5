/** History: the last comparisons; open one (no re-run), delete one, or clear them all. */
import type { z } from 'zod';
import type { historyItemSchema } from '../../src/protocol/sidebar';
import { h, replaceChildren } from '../shared/dom';
import { send } from './channel';

type HistoryItem = z.infer<typeof historyItemSchema>;

export class HistorySection {
  readonly element: HTMLElement;
  private readonly list = h('ul', { class: 'history', 'aria-label': 'Stored comparisons' });
  private readonly empty = h('p', { class: 'muted empty' }, 'Finished comparisons appear here.');
  private items: HistoryItem[] = [];

  constructor(private readonly changed: () => void) {
    this.element = h('div', { class: 'history-section' }, this.empty, this.list);
  }

  update(items: readonly HistoryItem[]): void {
    this.items = [...items];
    this.empty.hidden = items.length > 0;
    replaceChildren(this.list, ...items.map((item) => this.row(item)));
    this.changed();
  }

  private row(item: HistoryItem): HTMLElement {
    const summary = item.runs.map((r) => `${r.initializer} ${r.accuracy}${r.flags.length ? ` (${r.flags.join(', ')})` : ''}`).join('; ');
    const open = h(
      'button',
      {
        type: 'button',
        class: 'history-open',
        title: `Open these results in the Compare panel (no re-run)\n${item.at}`,
        'aria-label': `Open the comparison of ${item.when}: ${item.network}. ${summary}`,
        onclick: () => send({ type: 'openHistory', id: item.id }),
      },
      h('span', { class: 'history-head' }, h('span', { class: 'history-when' }, item.when), h('span', { class: 'history-network' }, item.network)),
      h(
        'span',
        { class: 'history-runs' },
        ...item.runs.map((r) =>
          h(
            'span',
            { class: ['history-run', r.flags.length ? 'flagged' : ''] },
            h('code', {}, r.initializer),
            ' ',
            h('span', { class: 'acc' }, r.accuracy),
            r.flags.length ? h('span', { class: 'flags' }, ` ${r.flags.join(', ')}`) : null,
          ),
        ),
      ),
    );
    const remove = h('vscode-icon', { name: 'trash', 'action-icon': true, label: `Delete the comparison of ${item.when}`, title: 'Delete' });
    remove.classList.add('history-delete');
    remove.addEventListener('vsc-click', () => send({ type: 'deleteHistory', id: item.id }));
    return h('li', { class: 'history-item', 'data-id': item.id, 'data-summary': `${item.when} · ${item.network} · ${summary}` }, open, remove);
  }

  get count(): number {
    return this.items.length;
  }

  report(): { id: string; text: string }[] {
    return Array.from(this.list.querySelectorAll<HTMLElement>('.history-item')).map((li) => ({
      id: li.dataset.id ?? '',
      text: li.dataset.summary ?? '',
    }));
  }
}
