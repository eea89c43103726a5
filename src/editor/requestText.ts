/**
 * The text a RunRequest carries for a written initializer. The probe parses it without knowing
 * the file it came from, so it must mean the same thing on its own: the written text when it
 * does (`he_normal`, `nn.init.kaiming_normal_(w, nonlinearity='relu')`), else the canonical form
 * (a `'HeNormal'` string in a .ts file is tfjs' HeNormal, which needs `tf.initializers.heNormal()`).
 */
import { parseInitializer, specLabel } from '../probe/initializers/parse';
import type { ParsedInitializer } from '../probe/initializers/spec';

const MAX_WRITTEN = 80;

export function requestText(written: string, parsed: ParsedInitializer): string {
  if (written.length <= MAX_WRITTEN && !written.includes('\n')) {
    try {
      if (parseInitializer(written).canonical === parsed.canonical) return written;
    } catch {
      // falls through to the canonical text
    }
  }
  return parsed.canonical;
}

/** A short name for legends and run labels: `he_normal`, `N(0, 0.05)`, `VS(2, fan_in, normal)`. */
export function shortLabel(parsed: ParsedInitializer): string {
  return specLabel(parsed.spec);
}
