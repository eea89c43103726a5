/** The Signal Propagation view's numbers as CSV (one section per picture). Pure. */
import type { HistogramRunsJson, PropagationDocument } from '../protocol/propagation';

const cell = (v: string | number | null | undefined): string => {
  if (v === null || v === undefined) return '';
  const s = String(v);
  return /[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
};
const row = (values: (string | number | null | undefined)[]): string => values.map(cell).join(',');

export function propagationCsv(doc: PropagationDocument | null, histograms: HistogramRunsJson): string {
  const lines: string[] = [];
  if (doc?.sweep) {
    lines.push('# depth sweep', row(['initializer', 'layer', 'q_measured', 'q_theory', 'c_measured', 'c_theory']));
    for (const r of doc.sweep.runs) for (const l of r.layers) lines.push(row([r.initializer, l.layer, l.q, l.qTheory, l.c, l.cTheory]));
  }
  if (doc?.phase) {
    lines.push('# phase diagram: chi1', row(['sigma_b2', 'sigma_w2', 'chi1']));
    doc.phase.sigmaB2.forEach((b, j) => doc.phase!.sigmaW2.forEach((w, i) => lines.push(row([b, w, doc.phase!.chi1[j][i]]))));
    lines.push('# critical line', row(['sigma_b2', 'critical_sigma_w2']));
    for (const c of doc.phase.critical) lines.push(row([c.sigmaB2, c.sigmaW2]));
    lines.push('# initializers', row(['initializer', 'sigma_w2', 'sigma_b2', 'chi1', 'phase', 'depth_scale']));
    for (const i of doc.phase.initializers) lines.push(row([i.initializer, i.sigmaW2, i.sigmaB2, i.chi1, i.phase, i.depthScale]));
  }
  if (doc?.map) {
    lines.push('# trainability map', row(['sigma_w2', 'depth', 'accuracy', 'loss', 'error']));
    for (const c of doc.map.cells) lines.push(row([c.sigmaW2, c.depth, c.accuracy, c.loss, c.error]));
  }
  if (doc?.jacobian) {
    lines.push('# jacobian spectra', row(['initializer', 'max', 'min', 'mean', 'variance', 'log10_lo', 'log10_hi', 'counts']));
    for (const s of doc.jacobian.spectra) lines.push(row([s.initializer, s.max, s.min, s.mean, s.variance, s.logHistogram.lo, s.logHistogram.hi, s.logHistogram.counts.join(' ')]));
  }
  if (histograms.length) {
    lines.push('# activation histograms', row(['initializer', 'layer', 'step', 'lo', 'hi', 'near_zero', 'counts']));
    for (const r of histograms) for (const l of r.layers) l.steps.forEach((s, k) => lines.push(row([r.initializer, l.name, s, l.lo, l.hi, l.nearZero[k], l.counts[k].join(' ')])));
  }
  return lines.join('\n') + '\n';
}
