/**
 * What "Probe with this initializer" and "Compare with alternatives" (hover links) run: the
 * written initializer on a network shaped like its layer when the layer is known, else on the
 * configured network; the alternatives are the theory's recommendation for the activation and
 * the three variance-preserving families. Pure: settings come in as a base config.
 */
import { z } from 'zod';
import type { ProbeConfig } from '../probe/config';
import { validateConfig } from '../probe/config';
import { formatHidden } from '../view/network';
import { parseInitializer } from '../probe/initializers/parse';
import { recommendedId } from '../probe/initializers/theory';
import type { RunRequest } from '../protocol';
import { isProbeActivation } from './layerKinds';
import { shortLabel } from './requestText';

/** Arguments of initlens.probeWithInitializer / initlens.compareAlternatives (validated: anyone can call a command). */
export const initializerCommandArgsSchema = z.object({
  /** Text the parser reads on its own (see requestText). */
  initializer: z.string().min(1).max(4000),
  /** The layer's activation, when known. */
  activation: z.string().max(40).optional(),
  fanIn: z.number().int().positive().max(1_000_000).optional(),
  fanOut: z.number().int().positive().max(1_000_000).optional(),
  /** The layer is the model's output (its fans don't make a hidden layer). */
  isOutput: z.boolean().optional(),
  /**
   * The written layer the initializer sits in when the probe cannot build it (Conv2D, LSTM…):
   * the run is a dense stand-in and its title says so.
   */
  standInFor: z.string().max(60).optional(),
  /** `keras_models.py:12`, for titles. */
  source: z.string().max(300).optional(),
});
export type InitializerCommandArgs = z.infer<typeof initializerCommandArgsSchema>;

/** The probe's input: MNIST's 28×28 pixels (src/probe/network.ts, which pulls in tfjs, so not imported here). */
export const MNIST_INPUT = 784;
export const MNIST_CLASSES = 10;

export interface PlannedComparison {
  requests: RunRequest[];
  title: string;
  /** Said next to the results when the network differs from the layer's. */
  skipped: string[];
}

/** The hidden widths that reproduce the layer's fans on MNIST: 784→fan_out, or 784→fan_in→fan_out. */
function networkFor(args: InitializerCommandArgs, base: ProbeConfig): { hidden: number[]; note?: string } {
  if (args.isOutput || args.fanOut === undefined) return { hidden: base.hidden };
  if (args.fanIn === MNIST_INPUT) return { hidden: [args.fanOut] };
  if (args.fanIn !== undefined) {
    return { hidden: [args.fanIn, args.fanOut], note: `a first layer of ${args.fanIn} units feeds the layer its fan_in of ${args.fanIn} (the probe's input is MNIST's ${MNIST_INPUT} pixels)` };
  }
  return { hidden: base.hidden };
}

function configFor(args: InitializerCommandArgs, base: ProbeConfig): { config: ProbeConfig; skipped: string[] } {
  const skipped: string[] = [];
  const activation = isProbeActivation(args.activation) ? args.activation : base.activation;
  if (args.activation !== undefined && !isProbeActivation(args.activation) && args.activation !== 'softmax') {
    skipped.push(`activation '${args.activation}' is not one the probe builds: probed with ${base.activation}`);
  }
  const { hidden, note } = networkFor(args, base);
  let config: ProbeConfig = { ...base, activation, hidden };
  try {
    validateConfig(config);
    if (note) skipped.push(note);
  } catch (err) {
    skipped.push(`the layer's network is too large to probe (${(err as Error).message}); probed with hidden layers ${formatHidden(base.hidden)}`);
    config = { ...base, activation };
  }
  return { config, skipped };
}

/** Where the probed network comes from, for titles: the source line, or a stand-in's honest note. */
function origin(args: InitializerCommandArgs): string {
  if (args.standInFor) return ` — a dense stand-in, not the ${args.standInFor}${args.source ? ` at ${args.source}` : ''}`;
  return args.source ? ` (${args.source})` : '';
}

/** What a stand-in run says beside its results. */
function standInNote(args: InitializerCommandArgs): string[] {
  return args.standInFor ? [`${args.standInFor}${args.source ? ` (${args.source})` : ''} is not probed: InitLens builds Dense stacks only, so this runs the initializer in the dense network from settings`] : [];
}

function describeNetwork(config: ProbeConfig): string {
  return `${MNIST_INPUT} → ${config.hidden.length > 3 ? formatHidden(config.hidden) : config.hidden.join(' → ')} ${config.activation} → 10`;
}

export function probeWithInitializer(args: InitializerCommandArgs, base: ProbeConfig, idPrefix: string): PlannedComparison {
  const parsed = parseInitializer(args.initializer);
  const { config, skipped } = configFor(args, base);
  const label = shortLabel(parsed);
  return {
    requests: [{ runId: `${idPrefix}-1`, label, initializer: args.initializer, config }],
    title: `Probe ${label} on ${describeNetwork(config)}${origin(args)}`,
    skipped: [...standInNote(args), ...skipped],
  };
}

/** The written one first, then the recommendation for the activation, then the other families. */
export function compareAlternatives(args: InitializerCommandArgs, base: ProbeConfig, idPrefix: string): PlannedComparison {
  const parsed = parseInitializer(args.initializer);
  const { config, skipped } = configFor(args, base);
  const candidates = [args.initializer, recommendedId(config.activation), 'he_normal', 'glorot_normal', 'lecun_normal'];
  const seen = new Set<string>();
  const requests: RunRequest[] = [];
  for (const text of candidates) {
    const p = text === args.initializer ? parsed : parseInitializer(text);
    if (seen.has(p.canonical)) continue;
    seen.add(p.canonical);
    requests.push({ runId: `${idPrefix}-${requests.length + 1}`, label: shortLabel(p), initializer: text, config });
  }
  return {
    requests,
    title: `${shortLabel(parsed)} against alternatives on ${describeNetwork(config)}${origin(args)}`,
    skipped: [...standInNote(args), ...skipped],
  };
}
