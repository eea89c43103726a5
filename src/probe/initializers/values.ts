/**
 * What an argument's tokens mean: a number (literal or a small arithmetic expression such as
 * `1/math.sqrt(2)` or `nn.init.calculate_gain('relu')`), a string, a boolean, None/null, a
 * tfjs `{key: value}` object, or some other expression (the tensor of a PyTorch call).
 */
import type { Token } from './syntax';
import { isPunct, matchingClose, splitTopLevel } from './syntax';
import { InitializerParseError, quoteText } from './parseError';
import { torchGain } from './torchGain';

export type ArgValue =
  | { type: 'number'; value: number; text: string; start: number }
  | { type: 'string'; value: string; text: string; start: number }
  | { type: 'bool'; value: boolean; text: string; start: number }
  | { type: 'none'; text: string; start: number }
  | { type: 'object'; entries: Map<string, ArgValue>; keyStarts: Map<string, number>; text: string; start: number }
  | { type: 'expression'; text: string; start: number };

const TRUE = new Set(['True', 'true']);
const FALSE = new Set(['False', 'false']);
const NONE = new Set(['None', 'null', 'undefined']);
const CONSTANTS: Record<string, number> = {
  pi: Math.PI,
  PI: Math.PI,
  e: Math.E,
  E: Math.E,
  SQRT2: Math.SQRT2,
  SQRT1_2: Math.SQRT1_2,
  // For trunc_normal_'s one-sided bounds: math.inf, np.inf, torch.inf, Infinity.
  inf: Infinity,
  Infinity: Infinity,
};
const MODULES = ['math', 'Math', 'np', 'numpy', 'torch', 'Number'];
const MAX_DEPTH = 64;

function sourceText(tokens: readonly Token[]): string {
  return tokens.map((t) => t.text).join('');
}

/** Marks "this is not a numeric expression" inside the evaluator; never escapes this file. */
class NotNumeric {}

/** Recursive-descent evaluation of + − * / ** ( ) over numbers, a few constants and calls. */
class NumericReader {
  private i = 0;
  private depth = 0;

  constructor(private readonly tokens: readonly Token[]) {}

  read(): number {
    const value = this.sum();
    if (this.i !== this.tokens.length) throw new NotNumeric();
    return value;
  }

  private enter(): void {
    if (++this.depth > MAX_DEPTH) {
      throw new InitializerParseError('syntax', `expression nested more than ${MAX_DEPTH} deep`, [], this.tokens[this.i]?.start);
    }
  }

  private sum(): number {
    this.enter();
    let value = this.product();
    while (isPunct(this.tokens[this.i], '+') || isPunct(this.tokens[this.i], '-')) {
      const op = this.tokens[this.i++].text;
      const rhs = this.product();
      value = op === '+' ? value + rhs : value - rhs;
    }
    this.depth--;
    return value;
  }

  private product(): number {
    let value = this.unary();
    while (isPunct(this.tokens[this.i], '*') || isPunct(this.tokens[this.i], '/')) {
      const op = this.tokens[this.i++].text;
      const rhs = this.unary();
      value = op === '*' ? value * rhs : value / rhs;
    }
    return value;
  }

  private unary(): number {
    const t = this.tokens[this.i];
    if (isPunct(t, '-') || isPunct(t, '+')) {
      this.i++;
      this.enter();
      const value = this.unary();
      this.depth--;
      return t.text === '-' ? -value : value;
    }
    return this.power();
  }

  private power(): number {
    const base = this.primary();
    if (isPunct(this.tokens[this.i], '**')) {
      this.i++;
      this.enter();
      const exponent = this.unary();
      this.depth--;
      return base ** exponent;
    }
    return base;
  }

  private primary(): number {
    const t = this.tokens[this.i];
    if (!t) throw new NotNumeric();
    if (t.kind === 'number') {
      this.i++;
      return t.number ?? NaN;
    }
    if (isPunct(t, '(')) {
      const close = matchingClose(this.tokens, this.i);
      this.i++;
      const value = this.sum();
      if (this.i !== close) throw new NotNumeric();
      this.i++;
      return value;
    }
    if (t.kind !== 'name') throw new NotNumeric();
    const path = [t.text];
    let j = this.i + 1;
    while (isPunct(this.tokens[j], '.') && this.tokens[j + 1]?.kind === 'name') {
      path.push(this.tokens[j + 1].text);
      j += 2;
    }
    const last = path[path.length - 1];
    if (!isPunct(this.tokens[j], '(')) {
      const known = Object.prototype.hasOwnProperty.call(CONSTANTS, last);
      if (known && (path.length === 1 ? last !== 'inf' : path.length === 2 && MODULES.includes(path[0]))) {
        this.i = j;
        return CONSTANTS[last];
      }
      throw new NotNumeric();
    }
    const close = matchingClose(this.tokens, j);
    const args = splitTopLevel(this.tokens.slice(j + 1, close), 'argument');
    this.i = close + 1;
    if (last === 'sqrt' && args.length === 1) {
      this.enter();
      const value = Math.sqrt(new NumericReader(args[0]).readNested(this.depth));
      this.depth--;
      return value;
    }
    if (last === 'calculate_gain') return calculateGain(args, t.start);
    if (path.length === 1 && last === 'float' && args.length === 1) return pythonFloat(args[0]);
    throw new NotNumeric();
  }

  /** Reads a nested argument, carrying the depth so nesting through calls is bounded too. */
  readNested(depth: number): number {
    this.depth = depth;
    return this.read();
  }
}

/** Python's `float('inf')`, `float('-inf')`, `float('0.5')`. */
function pythonFloat(arg: Token[]): number {
  const t = arg[0];
  if (arg.length !== 1 || t.kind !== 'string') throw new NotNumeric();
  const text = (t.content ?? '').trim().toLowerCase();
  const special: Record<string, number> = { inf: Infinity, '+inf': Infinity, infinity: Infinity, '-inf': -Infinity, '-infinity': -Infinity };
  if (text in special) return special[text];
  if (!/^[+-]?(?:\d+\.?\d*|\.\d+)(?:e[+-]?\d+)?$/.test(text)) throw new NotNumeric();
  return Number(text);
}

/** `calculate_gain(nonlinearity, param=None)` inside an argument, as PyTorch computes it. */
function calculateGain(args: Token[][], start: number): number {
  let nonlinearity: string | undefined;
  let param: number | undefined;
  args.forEach((slice, index) => {
    const keyword = slice[0]?.kind === 'name' && isPunct(slice[1], '=') ? slice[0].text : undefined;
    const valueTokens = keyword ? slice.slice(2) : slice;
    const name = keyword ?? (index === 0 ? 'nonlinearity' : index === 1 ? 'param' : '');
    const value = readValue(valueTokens);
    if (name === 'nonlinearity' && value.type === 'string') nonlinearity = value.value;
    else if (name === 'param' && value.type === 'number') param = value.value;
    else if (name === 'param' && value.type === 'none') param = undefined;
    else throw new InitializerParseError('bad-argument', `calculate_gain: unexpected argument ${quoteText(sourceText(slice))}`, [], slice[0]?.start ?? start);
  });
  if (nonlinearity === undefined) throw new InitializerParseError('bad-argument', 'calculate_gain: needs a nonlinearity name', [], start);
  return torchGain(nonlinearity, param, 'calculate_gain');
}

/** Classifies one argument value. Never throws for "merely not a number": that is an expression. */
export function readValue(tokens: readonly Token[]): ArgValue {
  const text = sourceText(tokens);
  const start = tokens[0]?.start ?? 0;
  if (tokens.length === 1) {
    const t = tokens[0];
    if (t.kind === 'string') return { type: 'string', value: t.content ?? '', text, start };
    if (t.kind === 'name' && TRUE.has(t.text)) return { type: 'bool', value: true, text, start };
    if (t.kind === 'name' && FALSE.has(t.text)) return { type: 'bool', value: false, text, start };
    if (t.kind === 'name' && NONE.has(t.text)) return { type: 'none', text, start };
  }
  if (isPunct(tokens[0], '{') && matchingClose(tokens, 0) === tokens.length - 1) {
    return readObject(tokens, text, start);
  }
  try {
    // -0 and 0 are the same argument; keeping -0 would break spec equality after a round trip.
    const value = new NumericReader(tokens).read() + 0;
    return { type: 'number', value, text, start };
  } catch (err) {
    if (err instanceof NotNumeric) return { type: 'expression', text, start };
    throw err;
  }
}

/** A JavaScript object literal `{key: value, 'key': value}` (tfjs' argument style). */
function readObject(tokens: readonly Token[], text: string, start: number): ArgValue {
  const entries = new Map<string, ArgValue>();
  const keyStarts = new Map<string, number>();
  for (const entry of splitTopLevel(tokens.slice(1, -1), 'object entry')) {
    const key = entry[0];
    if (!key || (key.kind !== 'name' && key.kind !== 'string') || !isPunct(entry[1], ':') || entry.length < 3) {
      throw new InitializerParseError('syntax', `expected 'key: value' in ${quoteText(text)}, got ${quoteText(sourceText(entry))}`, [], entry[0]?.start ?? start);
    }
    const name = key.kind === 'string' ? key.content ?? '' : key.text;
    if (entries.has(name)) throw new InitializerParseError('bad-argument', `'${name}' given twice in ${quoteText(text)}`, [], key.start);
    entries.set(name, readValue(entry.slice(2)));
    keyStarts.set(name, key.start);
  }
  return { type: 'object', entries, keyStarts, text, start };
}
