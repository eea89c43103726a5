/**
 * The Compare panel's charts as PNGs (report, exports, each card's "PNG" button): each titled
 * with what it shows — the per-layer charts say their step — which it draws into the image.
 */
import type { ChartImage, PanelRun } from '../../src/protocol/panel';
import { selectedRun } from './charts';
import type { View } from './layout';
import type { PanelState } from './state';

export function chartImages(view: View, runs: readonly PanelRun[], state: PanelState): ChartImage[] {
  const step = view.stepLabel.value;
  const out: ChartImage[] = [];
  const add = (id: ChartImage['id'], title: string, dataUrl: string | undefined): void => {
    if (dataUrl && /^data:image\/png;base64,/.test(dataUrl)) out.push({ id, title: title.slice(0, 200), dataUrl });
  };
  const measureName = state.measure === 'activationVariance' ? 'Activation variance' : 'Activation E[a²]';
  // The per-layer charts' titles take the step: the chart draws its title into the image.
  const actTitle = `${measureName} per layer at ${step}`;
  view.activation.options.title = actTitle;
  add('activationVariance', actTitle, view.activation.image());
  view.grad.options.title = `Gradient norm per layer at ${step}`;
  add('gradNorm', view.grad.options.title, view.grad.image());
  add('loss', 'Training loss', view.loss.image());
  add('accuracy', 'Held-out accuracy', view.accuracy.image());
  add('heatmap', `Activation variance, layer × step: ${selectedRun(runs, state)?.initializer ?? ''}`, view.heatmap.image());
  return out;
}
