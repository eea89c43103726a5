/**
 * The results as CSV: one row per run × recorded step × layer, for spreadsheets and pandas.
 * Run- and step-level values repeat on each layer's row so every row stands alone. Measured
 * values that were NaN/∞ (null in the document) are empty cells. RFC 4180 quoting.
 */
import type { ResultsDocument } from '../results';
import type { LayerStepStats } from '../protocol';

const LAYER_FIELDS = [
  'preActivationMean',
  'preActivationVariance',
  'activationMean',
  'activationVariance',
  'activationSecondMoment',
  'gradNorm',
  'biasGradNorm',
  'backwardSecondMoment',
  'weightStd',
  'updateRatio',
  'deadFraction',
  'saturatedFraction',
  'distinctUnits',
] as const satisfies readonly (keyof LayerStepStats)[];

export const CSV_COLUMNS = [
  'runId',
  'initializer',
  'status',
  'activation',
  'step',
  'loss',
  'accuracy',
  'validationAccuracy',
  'layer',
  'layerName',
  'layerActivation',
  'isOutput',
  'fanIn',
  'fanOut',
  'predictedGain',
  ...LAYER_FIELDS,
] as const;

type Cell = string | number | boolean | null | undefined;

export function csvCell(value: Cell): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'number') return Number.isFinite(value) ? String(value) : '';
  const text = String(value);
  return /[",\r\n]/.test(text) || /^\s|\s$/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

export function toCsv(doc: ResultsDocument): string {
  const lines = [CSV_COLUMNS.join(',')];
  for (const run of doc.runs) {
    for (const record of run.steps) {
      record.layers.forEach((stats, i) => {
        const info = run.layers[i];
        const cells: Cell[] = [
          run.runId,
          run.initializer,
          run.status,
          run.activation,
          record.step,
          record.loss,
          record.accuracy,
          record.validationAccuracy,
          i + 1,
          info?.name,
          info?.activation,
          info?.isOutput,
          info?.fanIn,
          info?.fanOut,
          info?.predictedGain,
          ...LAYER_FIELDS.map((f) => stats[f]),
        ];
        lines.push(cells.map(csvCell).join(','));
      });
    }
  }
  return lines.join('\r\n') + '\r\n';
}
