/**
 * What the host adds to a PyTorch event stream (probe runner or watch file): the theory for each
 * layer's initializer (the same functions the tfjs probe uses) and the diagnosis (the same
 * Diagnoser), so flags and notes mean the same whichever engine measured. Pure: events in,
 * events out.
 */
import type { LayerInfo, ProbeEvent } from '../../protocol';
import { Diagnoser } from '../diagnosis';
import { predictedGain, weightStdOrLimit } from '../initializers/theory';
import { isActivation } from '../config';
import type { InitSpec } from '../initializers/spec';

/** theoryWeightStd and predictedGain from the layer's spec; the output layer has no gain. */
export function withTheory(layer: LayerInfo): LayerInfo {
  const spec = layer.spec as InitSpec;
  const theoryWeightStd = weightStdOrLimit(spec, layer.fanIn, layer.fanOut).std;
  const gain = !layer.isOutput && isActivation(layer.activation) ? predictedGain(spec, layer.activation, layer.fanIn, layer.fanOut) : null;
  return { ...layer, theoryWeightStd: Number.isFinite(theoryWeightStd) ? theoryWeightStd : 0, predictedGain: gain !== null && Number.isFinite(gain) ? gain : null };
}

export class PytorchBridge {
  private diagnoser?: Diagnoser;

  /** The events to pass on for one event from the Python side (flags follow their step). */
  translate(event: ProbeEvent): ProbeEvent[] {
    switch (event.type) {
      case 'started': {
        const layers = event.layers.map(withTheory);
        this.diagnoser = new Diagnoser(layers, event.inputSecondMoment);
        return [{ ...event, layers }];
      }
      case 'step': {
        const flags = this.diagnoser?.observe(event.metrics) ?? [];
        return [event, ...flags.map((flag): ProbeEvent => ({ type: 'flag', runId: event.runId, flag }))];
      }
      // Flags come from the host's diagnosis only.
      case 'flag':
        return [];
      default:
        return [event];
    }
  }
}
