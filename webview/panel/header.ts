/** The Compare panel's header: what is compared, the network as built, the schedule and data, and the probe's notes. */
import type { PanelMeta, PanelRun } from '../../src/protocol/panel';
import { describeGraph, describeNetwork } from '../../src/view/network';
import { h } from '../shared/dom';
import type { View } from './layout';

export function renderHeader(view: View, meta: PanelMeta, runs: readonly PanelRun[]): void {
  view.title.textContent = meta.title;
  const c = meta.config;
  // A PyTorch model is the user's own network: the settings' hidden layers do not describe it
  // (its layers are on the charts' axes); the schedule — optimizer, batch, steps — still applies.
  const ownModel = meta.backend === 'pytorch';
  const facts = [
    c ? `${c.optimizer} lr ${c.lr}, batch ${c.batch},${ownModel ? ` ${c.steps} steps,` : ''} statistics every ${c.every} steps, seed ${c.seed}` : '',
    meta.data ? (meta.data.description ?? meta.data.source) : c ? `data: ${c.data}` : '',
    meta.backend ? `backend ${meta.backend}` : '',
  ].filter((s) => s !== '');
  // A model as written says its own layers (from the engine's started event); the dense stack its widths.
  const graphRun = runs.find((r) => r.network && r.network.length > 0);
  view.network.hidden = !graphRun;
  view.network.textContent = graphRun?.network ? describeGraph({ network: graphRun.network, layers: graphRun.layers }) : '';
  if (graphRun && c) facts.unshift(`${c.steps} steps`);
  else if (c && !ownModel && !meta.title.includes(describeNetwork(c))) facts.unshift(describeNetwork(c));
  view.subtitle.textContent = facts.join(' · ');
  view.running.hidden = !meta.running;
  view.stop.hidden = !meta.running;

  if (meta.skipped.length > 0) {
    view.skipped.hidden = false;
    view.skipped.replaceChildren(h('strong', {}, 'Notes on this probe:'), h('ul', {}, ...meta.skipped.map((s) => h('li', {}, s))));
  } else {
    view.skipped.hidden = true;
  }
}
