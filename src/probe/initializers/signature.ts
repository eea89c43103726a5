/**
 * Matching written arguments to a function's parameters (positional in declaration order,
 * then keywords, or one tfjs `{…}` object), and typed, range-checked access to them.
 * Every message starts with the function's name as written: `RandomNormal: stddev must be > 0, got -1`.
 */
import type { Token } from './syntax';
import { isPunct } from './syntax';
import type { ArgValue } from './values';
import { readValue } from './values';
import { InitializerParseError, quoteText } from './parseError';
import { suggest } from './suggest';

/** `tensor`: PyTorch's first argument, any expression, ignored. `ignored`: accepted, unused (generator=). */
export type ParamType = 'number' | 'bound' | 'string' | 'seed' | 'integer' | 'tensor' | 'ignored';

export interface ParamDef {
  name: string;
  type: ParamType;
}

/** How a function takes its arguments: Python-style, or one optional tfjs config object. */
export type CallStyle = 'python' | 'object';

function describe(value: ArgValue): string {
  switch (value.type) {
    case 'number':
      return String(value.value);
    case 'none':
      return value.text;
    case 'string':
      return quoteText(value.value);
    default:
      return quoteText(value.text);
  }
}

/** Formats a number for a message the way the user would have written it. */
export function showNumber(x: number): string {
  return String(x);
}

export class BoundArgs {
  constructor(
    /** The function's name as written, for messages. */
    readonly label: string,
    private readonly values: Map<string, ArgValue>,
    private readonly params: readonly ParamDef[],
  ) {}

  has(name: string): boolean {
    const v = this.values.get(name);
    return v !== undefined && v.type !== 'none';
  }

  private fail(reason: string, value?: ArgValue, suggestions: string[] = []): never {
    throw new InitializerParseError('bad-argument', `${this.label}: ${reason}`, suggestions, value?.start);
  }

  /** A finite number, or `fallback` when absent (undefined fallback = required). */
  number(name: string, fallback?: number): number {
    const value = this.bound(name, fallback);
    if (!Number.isFinite(value)) this.fail(`${name} must be a finite number, got ${showNumber(value)}`, this.values.get(name));
    return value;
  }

  /** A number that may be ±Infinity (an open side of an interval), never NaN. */
  bound(name: string, fallback?: number): number {
    const v = this.values.get(name);
    if (v === undefined) {
      if (fallback === undefined) this.fail(`missing required argument '${name}'`);
      return fallback;
    }
    if (v.type !== 'number') this.fail(`${name} must be a number, got ${describe(v)}`, v);
    if (Number.isNaN(v.value)) this.fail(`${name} must be a number, got NaN`, v);
    return v.value;
  }

  /** A whole number (Python int), e.g. LSUV's max_iterations. */
  integer(name: string, fallback: number): number {
    const value = this.number(name, fallback);
    if (!Number.isSafeInteger(value)) this.fail(`${name} must be a whole number, got ${showNumber(value)}`, this.values.get(name));
    return value;
  }

  string(name: string, fallback: string): string {
    const v = this.values.get(name);
    if (v === undefined) return fallback;
    if (v.type !== 'string') this.fail(`${name} must be a string, got ${describe(v)}`, v);
    return v.value;
  }

  /** A value from a fixed set; the error lists the set and the closest members. */
  choice<T extends string>(name: string, value: string, allowed: readonly T[]): T {
    const hit = allowed.find((a) => a === value);
    if (hit !== undefined) return hit;
    this.fail(`${name} must be one of ${allowed.join(', ')}, got '${value}'`, this.values.get(name), suggest(value, allowed));
  }

  /** An integer seed; absent, None or null mean "no seed". */
  seed(name = 'seed'): number | undefined {
    const v = this.values.get(name);
    if (v === undefined || v.type === 'none') return undefined;
    if (v.type !== 'number' || !Number.isSafeInteger(v.value)) this.fail(`${name} must be an integer, got ${describe(v)}`, v);
    return v.value;
  }

  /** A range check with the conventional message. */
  require(ok: boolean, name: string, condition: string, value: number): void {
    if (!ok) this.fail(`${name} must be ${condition}, got ${showNumber(value)}`, this.values.get(name));
  }

  /** A free-form problem (e.g. a relation between two arguments). */
  reject(reason: string, name?: string): never {
    this.fail(reason, name === undefined ? undefined : this.values.get(name));
  }

  /** Type-checks every given argument, so that a parameter a builder ignores is still checked. */
  checkTypes(): void {
    for (const p of this.params) {
      if (!this.values.has(p.name)) continue;
      if (p.type === 'number') this.number(p.name, 0);
      else if (p.type === 'bound') this.bound(p.name, 0);
      else if (p.type === 'integer') this.integer(p.name, 0);
      else if (p.type === 'string') this.string(p.name, '');
      else if (p.type === 'seed') this.seed(p.name);
    }
  }
}

function keywordOf(slice: readonly Token[]): string | undefined {
  return slice[0]?.kind === 'name' && isPunct(slice[1], '=') && slice.length >= 2 ? slice[0].text : undefined;
}

/**
 * Binds written arguments (undefined = no parentheses) to `params`. Python style: positional
 * args fill parameters in order, keywords by name. Object style: nothing, or exactly one
 * `{…}` whose keys are the parameters.
 */
export function bindArguments(label: string, params: readonly ParamDef[], style: CallStyle, args: Token[][] | undefined): BoundArgs {
  const values = new Map<string, ArgValue>();
  const names = params.map((p) => p.name);
  const put = (name: string, value: ArgValue, at: number): void => {
    if (!names.includes(name)) {
      const suggestions = suggest(name, names);
      const takes = names.length === 0 ? 'takes no arguments' : `takes ${names.join(', ')}`;
      throw new InitializerParseError('unknown-argument', `${label}: unknown argument '${name}' (${takes})`, suggestions, at);
    }
    if (values.has(name)) throw new InitializerParseError('bad-argument', `${label}: argument '${name}' given twice`, [], at);
    values.set(name, value);
  };
  const bound = new BoundArgs(label, values, params);
  if (args === undefined || args.length === 0) return bound;
  if (style === 'object') {
    if (args.length > 1) {
      throw new InitializerParseError('unknown-argument', `${label}: takes one {…} argument, got ${args.length}`, [], args[1][0]?.start);
    }
    const value = readValue(args[0]);
    if (value.type !== 'object') {
      throw new InitializerParseError('bad-argument', `${label}: expects a {key: value} argument, got ${quoteText(value.text)}`, [], value.start);
    }
    for (const [key, v] of value.entries) put(key, v, value.keyStarts.get(key) ?? value.start);
    bound.checkTypes();
    return bound;
  }
  let position = 0;
  let sawKeyword = false;
  for (const slice of args) {
    const keyword = keywordOf(slice);
    if (keyword !== undefined) {
      if (slice.length < 3) throw new InitializerParseError('syntax', `${label}: no value after '${keyword}='`, [], slice[0].start);
      sawKeyword = true;
      put(keyword, readValue(slice.slice(2)), slice[0].start);
      continue;
    }
    if (sawKeyword) throw new InitializerParseError('syntax', `${label}: positional argument after a keyword argument`, [], slice[0].start);
    if (position >= params.length) {
      const takes = params.length === 0 ? 'takes no arguments' : `takes at most ${params.length} argument${params.length === 1 ? '' : 's'}`;
      throw new InitializerParseError('unknown-argument', `${label}: ${takes}, got ${args.length}`, [], slice[0].start);
    }
    put(params[position].name, readValue(slice), slice[0].start);
    position++;
  }
  bound.checkTypes();
  return bound;
}
