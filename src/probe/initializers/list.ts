/**
 * Splits a comma-separated list of written initializers, keeping commas that sit inside
 * parentheses, braces, brackets or quotes: `zeros,RandomNormal(mean=0.0, stddev=0.05)` is two.
 */
export function splitInitializerList(text: string): string[] {
  const items: string[] = [];
  let depth = 0;
  let quote: string | null = null;
  let current = '';
  for (const ch of text) {
    if (quote) {
      if (ch === quote) quote = null;
    } else if (ch === '"' || ch === "'") {
      quote = ch;
    } else if ('([{'.includes(ch)) {
      depth++;
    } else if (')]}'.includes(ch)) {
      depth = Math.max(0, depth - 1);
    } else if (ch === ',' && depth === 0) {
      if (current.trim()) items.push(current.trim());
      current = '';
      continue;
    }
    current += ch;
  }
  if (current.trim()) items.push(current.trim());
  return items;
}
