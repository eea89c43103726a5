/** The one number format (src/view/number.ts) that the CLI, panel, hovers, diagnostics and report share. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatNumber, formatPercent } from '../../src/view/number';

test('three significant digits, trailing zeros dropped, exponent form outside [0.001, 10 000)', () => {
  const cases: [number | null | undefined, string][] = [
    [0, '0'],
    [1, '1'],
    [0.16, '0.16'],
    [0.050507, '0.0505'],
    [-2.5, '-2.5'],
    [1234.5, '1230'],
    [999.4, '999'],
    [12345, '1.23e4'],
    [0.001, '0.001'],
    [0.00099, '9.90e-4'],
    [3.2e-7, '3.20e-7'],
    [null, '—'],
    [undefined, '—'],
    [Number.NaN, 'NaN'],
    [Number.POSITIVE_INFINITY, '∞'],
    [Number.NEGATIVE_INFINITY, '−∞'],
  ];
  for (const [x, text] of cases) assert.equal(formatNumber(x), text, String(x));
});

test('fractions as percentages with one decimal; anything else is a dash', () => {
  assert.equal(formatPercent(0.9274), '92.7%');
  assert.equal(formatPercent(0), '0.0%');
  assert.equal(formatPercent(null), '—');
  assert.equal(formatPercent(Number.NaN), '—');
  assert.equal(formatPercent('0.5'), '—');
});
