/**
 * "Save report": one Markdown file a person can commit or paste: what was compared, the summary
 * table, the charts (PNG files beside it) and every flag with its evidence and its note. Pure:
 * the host supplies the notes and the image paths, and writes the files.
 */
import type { ResultsDocument } from '../results';
import type { Note } from '../notes';
import { describeGraph, describeNetwork } from '../view/network';
import { accuracyHeading, accuracyScope, accuracyText, flagValuesText, formatPercent, inLayerOrder, intervalText, layerName, lossText, samplesPerSecondText, seedBandCaption, seedFlagsText, statusText } from '../view/format';
import { summarizeSeeds } from '../probe/seedSummary';
import { hasSeveralSeeds } from '../view/intervals';

export interface ReportImage {
  title: string;
  /** Relative to the report file, forward slashes. */
  path: string;
}

export interface ReportInput {
  doc: ResultsDocument;
  title: string;
  skipped: readonly string[];
  images: readonly ReportImage[];
  note: (id: string) => Note | undefined;
  stepsPlanned?: (runId: string) => number | undefined;
}

/** A table cell: pipes escaped, line breaks flattened. */
export function tableCell(text: string): string {
  return text.replace(/\\/g, '\\\\').replace(/\|/g, '\\|').replace(/\r?\n/g, ' ');
}

/** Headings inside a note sit under the flag's own heading: `#` becomes `####`. */
export function nestHeadings(markdown: string, levels: number): string {
  let inFence = false;
  return markdown
    .split(/\r?\n/)
    .map((line) => {
      if (/^\s*(```|~~~)/.test(line)) inFence = !inFence;
      if (inFence) return line;
      const m = /^(#{1,6})(\s.*)$/.exec(line);
      return m ? `${'#'.repeat(Math.min(6, m[1].length + levels))}${m[2]}` : line;
    })
    .join('\n');
}

/** Link text and paths for images: brackets and spaces would break the Markdown. */
function imageLink(image: ReportImage): string {
  const alt = image.title.replace(/[[\]]/g, '');
  return `![${alt}](${image.path.split('/').map(encodeURIComponent).join('/')})`;
}

export function reportFileStem(date: Date): string {
  const pad = (n: number): string => String(n).padStart(2, '0');
  return `initlens-report-${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}-${pad(date.getHours())}${pad(date.getMinutes())}${pad(date.getSeconds())}`;
}

export function reportMarkdown(input: ReportInput): string {
  const { doc } = input;
  const out: string[] = [];
  out.push(`# InitLens report: ${input.title}`, '');
  const c = doc.config;
  const facts: string[] = [`- Created: ${doc.createdAt}`];
  if (c) {
    const graphRun = doc.runs.find((r) => r.network && r.network.length > 0);
    const network = graphRun?.network ? `${describeGraph({ network: graphRun.network, layers: graphRun.layers })}, ${c.steps} steps` : describeNetwork(c);
    facts.push(`- Network: ${network}; ${c.optimizer} lr ${c.lr}, batch ${c.batch}, statistics every ${c.every} steps, seed ${c.seed}`);
  }
  if (doc.data) facts.push(`- Data: ${doc.data.description ?? `${doc.data.source} (${doc.data.train} train / ${doc.data.test} held out)`}`);
  if (doc.backend) facts.push(`- Backend: ${doc.backend}`);
  out.push(...facts, '');
  if (input.skipped.length > 0) {
    out.push('## Notes on this probe', '', 'What the probe stood in for or assumed:', '');
    for (const s of input.skipped) out.push(`- ${s}`);
    out.push('');
  }
  out.push('## Summary', '');
  const scope = accuracyScope(doc.config, doc.data);
  if (hasSeveralSeeds(doc.runs)) {
    // Several seeds per initializer: the engine's summary first, then every seed's run.
    const summary = summarizeSeeds(doc.runs);
    const seeds = Math.max(...summary.map((s) => s.seeds));
    out.push(`Final held-out accuracy and loss: ${seedBandCaption(seeds)}, over the seeds that finished.`, '');
    out.push(`| Initializer | Seeds finished | ${accuracyHeading(scope)}, mean [95% CI] | Loss, mean [95% CI] | Flags (seeds fired) |`, '| --- | --- | --- | --- | --- |');
    for (const s of summary) {
      const row = [s.initializer, `${s.finished} of ${s.seeds}`, intervalText(s.validationAccuracy, formatPercent), intervalText(s.loss), seedFlagsText(s)];
      out.push(`| ${row.map(tableCell).join(' | ')} |`);
    }
    out.push('', 'Each seed’s run:', '');
  }
  out.push(`| Initializer | Backend | ${accuracyHeading(scope)} | Loss | Samples/s | Flags | Status |`, '| --- | --- | --- | --- | --- | --- | --- |');
  for (const run of doc.runs) {
    const summary = { ...run, stepsPlanned: input.stepsPlanned?.(run.runId) };
    const kinds = [...new Set(run.flags.map((f) => f.kind))].join(', ') || 'none';
    const row = [run.initializer, run.backend ?? '—', accuracyText(summary, scope), lossText(summary), samplesPerSecondText(summary), kinds, statusText(summary)];
    out.push(`| ${row.map(tableCell).join(' | ')} |`);
  }
  out.push('');
  if (input.images.length > 0) {
    out.push('## Charts', '');
    for (const image of input.images) out.push(`### ${image.title}`, '', imageLink(image), '');
  }
  out.push('## Flags', '');
  const flagged = doc.runs.filter((r) => r.flags.length > 0);
  if (flagged.length === 0) out.push('No flags: every layer stayed within the thresholds.', '');
  const notesShown = new Set<string>();
  for (const run of flagged) {
    for (const flag of inLayerOrder(run.flags)) {
      out.push(`### ${run.initializer}: ${flag.kind} at ${layerName(run, flag.layer)}, step ${flag.step}`, '');
      out.push(`${flag.evidence}`, '');
      const values = flagValuesText(flag);
      if (values) out.push(`Values: ${values}`, '');
      const note = input.note(flag.note);
      if (!note) {
        out.push(`Note: ${flag.note}`, '');
      } else if (notesShown.has(note.id)) {
        out.push(`Note: *${note.title}* (above).`, '');
      } else {
        notesShown.add(note.id);
        out.push(`> **${note.title}.** ${note.summary}`, '', '<details><summary>The whole note</summary>', '', nestHeadings(note.body, 3), '', '</details>', '');
      }
    }
  }
  const roles = doc.runs.flatMap((run) => run.layers.flatMap((l) => (l.scaleRole ? [{ run, layer: l, role: l.scaleRole }] : [])));
  if (roles.length > 0) {
    // The engine's verdict on layers whose weight scale a normalization cancels, or that start a residual branch at zero.
    out.push('## Normalization and residual branches', '');
    for (const { run, layer, role } of roles) out.push(`- ${run.initializer}, ${layer.name}: ${role.evidence}.`);
    out.push('');
    const note = input.note(roles[0].role.note);
    if (note && !notesShown.has(note.id)) out.push(`> **${note.title}.** ${note.summary}`, '', '<details><summary>The whole note</summary>', '', nestHeadings(note.body, 3), '', '</details>', '');
  }
  return out.join('\n').replace(/\n{3,}/g, '\n\n').trimEnd() + '\n';
}
