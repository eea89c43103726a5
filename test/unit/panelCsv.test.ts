// CSV export: one row per run × recorded step × layer, from a document of real probes; quoted
// where a spreadsheet needs it; empty cells where a value was not finite.
import * as assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { CSV_COLUMNS, csvCell, toCsv } from '../../src/compare/exportCsv';
import type { ResultsDocument } from '../../src/results';
import { probedDocument, syntheticDocument } from './panelFixtures';

/** A small RFC 4180 reader, enough to check our own output round-trips. */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let cell = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        cell += '"';
        i++;
      } else if (c === '"') quoted = false;
      else cell += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') {
      row.push(cell);
      cell = '';
    } else if (c === '\r' && text[i + 1] === '\n') {
      row.push(cell);
      rows.push(row);
      row = [];
      cell = '';
      i++;
    } else cell += c;
  }
  return rows;
}

describe('CSV export', () => {
  let doc: ResultsDocument;
  before(async () => {
    doc = await probedDocument(['Zeros', 'RandomNormal(mean=0.0, stddev=0.05)'], 20);
  });

  it('has one row per run × step × layer, every row as wide as the header', () => {
    const rows = parseCsv(toCsv(doc));
    assert.deepEqual(rows[0], [...CSV_COLUMNS]);
    const expected = doc.runs.reduce((n, r) => n + r.steps.length * r.layers.length, 0);
    assert.equal(expected, 2 * 3 * 2, '2 runs × steps 0, 10, 20 × 2 layers');
    assert.equal(rows.length - 1, expected);
    for (const row of rows) assert.equal(row.length, CSV_COLUMNS.length);
  });

  it('carries the measured numbers as they are in the document', () => {
    const rows = parseCsv(toCsv(doc));
    const col = (name: (typeof CSV_COLUMNS)[number]): number => CSV_COLUMNS.indexOf(name);
    const row = rows.find((r) => r[col('runId')] === 'run2' && r[col('step')] === '10' && r[col('layer')] === '1')!;
    const record = doc.runs[1].steps.find((s) => s.step === 10)!;
    assert.equal(row[col('initializer')], 'RandomNormal(mean=0.0, stddev=0.05)', 'commas survive quoting');
    assert.equal(Number(row[col('activationVariance')]), record.layers[0].activationVariance);
    assert.equal(Number(row[col('gradNorm')]), record.layers[0].gradNorm);
    assert.equal(row[col('layerName')], 'dense_1');
    const zeros = rows.find((r) => r[col('runId')] === 'run1' && r[col('step')] === '0' && r[col('layer')] === '1')!;
    assert.equal(zeros[col('distinctUnits')], '1', 'Zeros: one distinct unit');
  });

  it('leaves missing values empty and quotes quotes, commas and line breaks', () => {
    const { doc: synthetic } = syntheticDocument();
    synthetic.runs[0].steps[0].layers[0].gradNorm = null;
    const rows = parseCsv(toCsv(synthetic));
    assert.equal(rows[1][CSV_COLUMNS.indexOf('gradNorm')], '');
    assert.equal(csvCell('a "b", c\nd'), '"a ""b"", c\nd"');
    assert.equal(csvCell(Number.NaN), '');
    assert.equal(csvCell(null), '');
    assert.equal(csvCell(0.05), '0.05');
  });
});
