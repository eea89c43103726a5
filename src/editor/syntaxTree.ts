/**
 * Just enough expression structure over the token stream to read layer and initializer calls:
 * dotted names, calls (and calls of calls, `Dense(64)(x)`), keyword arguments, lists, tuples,
 * objects, list comprehensions and `[…] + […]` / `[…] * n` sequences. Anything else is an
 * opaque `other` node; nested calls inside it are still found by the walker in `calls()`.
 */
import type { Token, TokenStream } from './lexer';

export interface Arg {
  /** Keyword (`units=`), object key (`units:`), or undefined for a positional argument. */
  key?: string;
  value: SyntaxNode;
  /** `*args` / `**kwargs` / `...spread`. */
  spread?: boolean;
  /** Offsets of the whole argument, key included. */
  start: number;
  end: number;
}

interface Span {
  start: number;
  end: number;
  /** First and last token index (inclusive). */
  first: number;
  last: number;
}

/**
 * A call. Its arguments are read on first use: most calls in a file (prints, maths, data
 * loading) are never asked, and reading them all was most of a scan's time.
 */
export class CallNode implements Span {
  readonly type = 'call' as const;
  private argsRead?: Arg[];
  private appliedRead?: Arg[];

  constructor(
    private readonly reader: SyntaxReader,
    /** Dotted callee, subscripts kept in the element: ['self', 'net[0]', 'weight']. */
    readonly path: string[],
    /** Offsets of the callee's last name (what a person hovers). */
    readonly nameStart: number,
    readonly nameEnd: number,
    /** Token index of the opening and closing parenthesis (close -1 when unclosed). */
    readonly open: number,
    readonly close: number,
    /** Last token of the arguments. */
    private readonly argsLast: number,
    /** `Dense(64)(x)`: token range of the second call's parentheses. */
    private readonly appliedRange: [number, number] | undefined,
    readonly start: number,
    readonly end: number,
    readonly first: number,
    readonly last: number,
  ) {}

  get args(): Arg[] {
    this.argsRead ??= this.reader.items(this.open + 1, this.argsLast, '(');
    return this.argsRead;
  }

  /** Whether the call's result is called again: `layers.Dense(64)(x)`. */
  get isApplied(): boolean {
    return this.appliedRange !== undefined;
  }

  /** The arguments of that second call. */
  get applied(): Arg[] | undefined {
    if (!this.appliedRange) return undefined;
    this.appliedRead ??= this.reader.items(this.appliedRange[0] + 1, this.appliedRange[1] - 1, '(');
    return this.appliedRead;
  }
}

export type SyntaxNode =
  | CallNode
  | (Span & { type: 'name'; path: string[] })
  | (Span & { type: 'string'; value?: string; quote: string })
  | (Span & { type: 'number'; value: number })
  | (Span & { type: 'list' | 'tuple' | 'object'; items: Arg[] })
  | (Span & { type: 'comprehension'; element: SyntaxNode; repeat?: number })
  | (Span & { type: 'concat'; parts: { node: SyntaxNode; repeat: number }[] })
  | (Span & { type: 'other' });


const NOT_CALLS = new Set(['def', 'function', 'class', 'async', 'lambda']);

export class SyntaxReader {
  readonly tokens: Token[];
  /** Nodes by their first token (an array, not a Map: one slot per token is cheaper). */
  private readonly memo: (SyntaxNode | undefined)[];
  /** Calls by their first token; a re-read with a tighter limit replaces the earlier node. */
  private readonly found: (CallNode | undefined)[];

  constructor(
    readonly stream: TokenStream,
    readonly python: boolean,
  ) {
    this.tokens = stream.tokens;
    // Filled, not `new Array(n)`: a large holey array can fall back to slow dictionary elements.
    this.memo = new Array<SyntaxNode | undefined>(this.tokens.length).fill(undefined);
    this.found = new Array<CallNode | undefined>(this.tokens.length).fill(undefined);
  }

  private isPunct(i: number, text: string): boolean {
    const t = this.tokens[i];
    return t !== undefined && t.kind === 'punct' && t.text === text;
  }

  /** End of the bracket opened at `i`, or `limit` when it never closes before it. */
  private closeOf(i: number, limit: number): number {
    const p = this.stream.partner[i];
    return p > i && p <= limit ? p : limit;
  }

  /** Every call in the file, outermost first within a statement, each once. */
  calls(): CallNode[] {
    const last = this.tokens.length - 1;
    for (let i = 0; i <= last; i++) {
      const t = this.tokens[i];
      if (t.kind !== 'name') continue;
      const prev = this.tokens[i - 1];
      if (prev && prev.kind === 'punct' && (prev.text === '.' || prev.text === '?.')) continue;
      if (prev && prev.kind === 'name' && NOT_CALLS.has(prev.text)) continue;
      // A bare name can't start a call: skip it without building a node.
      const next = this.tokens[i + 1];
      if (!next || next.kind !== 'punct' || (next.text !== '(' && next.text !== '.' && next.text !== '?.' && next.text !== '[')) continue;
      this.primary(i, last);
    }
    return this.found.filter((c): c is CallNode => c !== undefined);
  }

  /**
   * A dotted name with its subscripts and calls starting at token `i`, read no further than
   * `limit`. Memoized per start token, so nested reads and the walker share nodes.
   */
  primary(i: number, limit: number): { node: SyntaxNode; next: number } {
    const hit = this.memo[i];
    if (hit && hit.last <= limit) return { node: hit, next: hit.last + 1 };
    const tokens = this.tokens;
    const path = [tokens[i].text];
    let nameStart = tokens[i].start;
    let nameEnd = tokens[i].end;
    let j = i + 1;
    for (;;) {
      if (j + 1 <= limit && (this.isPunct(j, '.') || this.isPunct(j, '?.')) && tokens[j + 1]?.kind === 'name') {
        path.push(tokens[j + 1].text);
        nameStart = tokens[j + 1].start;
        nameEnd = tokens[j + 1].end;
        j += 2;
        continue;
      }
      if (j <= limit && this.isPunct(j, '[') && path.length > 0) {
        // Only simple subscripts join the path (`net[0]`); slicing and expressions end it.
        const inner = tokens[j + 1];
        if (this.stream.partner[j] === j + 2 && j + 2 <= limit && (inner.kind === 'number' || inner.kind === 'string')) {
          path[path.length - 1] += `[${inner.text}]`;
          j += 3;
          continue;
        }
      }
      break;
    }
    let node: SyntaxNode;
    if (j <= limit && this.isPunct(j, '(')) {
      const close = this.stream.partner[j] > j && this.stream.partner[j] <= limit ? this.stream.partner[j] : -1;
      const argsLast = close === -1 ? limit : close - 1;
      let last = close === -1 ? limit : close;
      let applied: [number, number] | undefined;
      if (close !== -1 && last + 1 <= limit && this.isPunct(last + 1, '(')) {
        const close2 = this.stream.partner[last + 1];
        if (close2 > last + 1 && close2 <= limit) {
          applied = [last + 1, close2];
          last = close2;
        }
      }
      const call = new CallNode(this, path, nameStart, nameEnd, j, close, argsLast, applied, tokens[i].start, tokens[last].end, i, last);
      this.found[i] = call;
      node = call;
    } else {
      this.found[i] = undefined;
      node = { type: 'name', path, start: tokens[i].start, end: tokens[j - 1].end, first: i, last: j - 1 };
    }
    this.memo[i] = node;
    return { node, next: node.last + 1 };
  }

  /** Comma-separated items between `first` and `last` (inclusive) inside a `(`, `[` or `{`. */
  items(first: number, last: number, opener: '(' | '[' | '{'): Arg[] {
    const out: Arg[] = [];
    let start = first;
    const flush = (end: number): void => {
      if (end >= start) out.push(this.item(start, end, opener));
    };
    for (const k of this.topLevelPunct(first, last)) {
      if (this.tokens[k].text === ',') {
        flush(k - 1);
        start = k + 1;
      }
    }
    flush(last);
    return out;
  }

  /** Indices of the punctuation between `first` and `last` that is not inside a nested bracket. */
  private *topLevelPunct(first: number, last: number): Generator<number> {
    for (let k = first; k <= last; k++) {
      const t = this.tokens[k];
      if (t.kind !== 'punct') continue;
      if (t.text === '(' || t.text === '[' || t.text === '{') {
        k = this.closeOf(k, last);
        continue;
      }
      yield k;
    }
  }

  private item(first: number, last: number, opener: '(' | '[' | '{'): Arg {
    const tokens = this.tokens;
    const start = tokens[first].start;
    const end = tokens[last].end;
    const t0 = tokens[first];
    if (t0.kind === 'punct' && (t0.text === '*' || t0.text === '**' || t0.text === '...') && first < last) {
      return { key: undefined, value: this.expr(first + 1, last), spread: true, start, end };
    }
    if (opener === '(' && this.python && t0.kind === 'name' && this.isPunct(first + 1, '=') && first + 2 <= last) {
      return { key: t0.text, value: this.expr(first + 2, last), spread: false, start, end };
    }
    if (opener === '{' && (t0.kind === 'name' || t0.kind === 'string' || t0.kind === 'number') && this.isPunct(first + 1, ':') && first + 2 <= last) {
      const key = t0.kind === 'string' ? (t0.value ?? t0.text) : t0.text;
      return { key, value: this.expr(first + 2, last), spread: false, start, end };
    }
    if (opener === '{' && !this.python && t0.kind === 'name' && first === last) {
      // `{units}`: shorthand property.
      return { key: t0.text, value: this.expr(first, last), spread: false, start, end };
    }
    return { key: undefined, value: this.expr(first, last), spread: false, start, end };
  }

  /** One expression spanning tokens first..last (inclusive). */
  expr(first: number, last: number): SyntaxNode {
    const tokens = this.tokens;
    const start = tokens[first].start;
    const end = tokens[last].end;
    const t0 = tokens[first];
    if (first === last) {
      if (t0.kind === 'string') return { type: 'string', value: t0.value, quote: quoteOf(t0), start, end, first, last };
      if (t0.kind === 'number') return { type: 'number', value: t0.number ?? NaN, start, end, first, last };
    }
    if (first + 1 === last && t0.kind === 'punct' && (t0.text === '-' || t0.text === '+') && tokens[last].kind === 'number') {
      const v = tokens[last].number ?? NaN;
      return { type: 'number', value: t0.text === '-' ? -v : v, start, end, first, last };
    }
    // Python joins adjacent string literals.
    if (this.python && t0.kind === 'string' && tokens.slice(first, last + 1).every((t) => t.kind === 'string')) {
      const parts = tokens.slice(first, last + 1).map((t) => t.value);
      return { type: 'string', value: parts.every((p) => p !== undefined) ? parts.join('') : undefined, quote: quoteOf(t0), start, end, first, last };
    }
    const span = { start, end, first, last };
    const sequence = this.sequence(first, last);
    if (sequence) return sequence;
    if (t0.kind === 'punct' && (t0.text === '(' || t0.text === '[' || t0.text === '{') && this.stream.partner[first] === last) {
      if (this.python && t0.text === '[') {
        const comprehension = this.comprehension(first + 1, last - 1, span);
        if (comprehension) return comprehension;
      }
      const items = this.items(first + 1, last - 1, t0.text);
      if (t0.text === '(' && items.length === 1 && !this.isPunct(last - 1, ',')) {
        // A parenthesised expression, not a 1-tuple.
        return items[0].value;
      }
      return { ...span, type: t0.text === '[' ? 'list' : t0.text === '(' ? 'tuple' : 'object', items };
    }
    if (t0.kind === 'name' && !NOT_CALLS.has(t0.text) && t0.text !== 'new') {
      const { node } = this.primary(first, last);
      if (node.last === last) return node;
    }
    if (!this.python && t0.kind === 'name' && t0.text === 'new' && first < last && tokens[first + 1].kind === 'name') {
      const { node } = this.primary(first + 1, last);
      if (node.last === last) return node;
    }
    return { ...span, type: 'other' };
  }

  /** `[x for _ in range(8)]` (its inside: first..last). */
  private comprehension(first: number, last: number, span: Span): SyntaxNode | undefined {
    for (let k = first; k <= last; k++) {
      const t = this.tokens[k];
      if (t.kind === 'punct' && (t.text === '(' || t.text === '[' || t.text === '{')) {
        k = this.closeOf(k, last);
        continue;
      }
      if (t.kind === 'name' && t.text === 'for' && k > first) {
        const element = this.expr(first, k - 1);
        let repeat: number | undefined;
        // for <target> in range(<n>) and nothing after
        let inAt = k + 1;
        while (inAt <= last && !(this.tokens[inAt].kind === 'name' && this.tokens[inAt].text === 'in')) inAt++;
        if (inAt <= last && this.tokens[inAt + 1]?.text === 'range' && this.isPunct(inAt + 2, '(')) {
          const close = this.stream.partner[inAt + 2];
          const argsOf = close > inAt + 2 ? this.items(inAt + 3, close - 1, '(') : [];
          if (close === last && argsOf.length === 1 && argsOf[0].value.type === 'number') repeat = argsOf[0].value.value;
        }
        return { ...span, type: 'comprehension', element, repeat };
      }
    }
    return undefined;
  }

  /** `[a] + [b for _ in range(3)] + [c] * 2`: a sequence of list parts, or undefined. */
  private sequence(first: number, last: number): SyntaxNode | undefined {
    // Only `[…]`/`(…)`/`n` parts joined by + or * can be sequences: cheap rejection first.
    const t0 = this.tokens[first];
    if (!(t0.kind === 'number' || (t0.kind === 'punct' && (t0.text === '[' || t0.text === '(')))) return undefined;
    const cuts: number[] = [];
    let operators = 0;
    for (const k of this.topLevelPunct(first, last)) {
      const t = this.tokens[k];
      if (t.text === '+' && k > first) cuts.push(k);
      if (t.text === '+' || t.text === '*') operators++;
    }
    if (operators === 0) return undefined;
    const ranges: [number, number][] = [];
    let start = first;
    for (const c of cuts) {
      ranges.push([start, c - 1]);
      start = c + 1;
    }
    ranges.push([start, last]);
    const parts: { node: SyntaxNode; repeat: number }[] = [];
    for (const [a, b] of ranges) {
      if (a > b) return undefined;
      let repeat = 1;
      let lo = a;
      let hi = b;
      // `[x] * 3` or `3 * [x]`
      if (hi - 2 >= lo && this.isPunct(hi - 1, '*') && this.tokens[hi].kind === 'number') {
        repeat = this.tokens[hi].number ?? 1;
        hi -= 2;
      } else if (lo + 2 <= hi && this.isPunct(lo + 1, '*') && this.tokens[lo].kind === 'number') {
        repeat = this.tokens[lo].number ?? 1;
        lo += 2;
      }
      if (!(this.isPunct(lo, '[') || this.isPunct(lo, '(')) || this.stream.partner[lo] !== hi) return undefined;
      if (ranges.length === 1 && repeat === 1) return undefined;
      parts.push({ node: this.expr(lo, hi), repeat: Number.isInteger(repeat) && repeat >= 0 ? repeat : 1 });
    }
    return { start: this.tokens[first].start, end: this.tokens[last].end, first, last, type: 'concat', parts };
  }
}

function quoteOf(t: Token): string {
  for (let i = 0; i < t.text.length && i < 3; i++) {
    const c = t.text[i];
    if (c === "'" || c === '"' || c === '`') return c;
  }
  return "'";
}

/** The items of a list-like node with their repetition: lists, tuples, comprehensions, concatenations. */
export function sequenceItems(node: SyntaxNode): { node: SyntaxNode; repeat: number }[] | undefined {
  switch (node.type) {
    case 'list':
    case 'tuple': {
      const out: { node: SyntaxNode; repeat: number }[] = [];
      for (const item of node.items) {
        if (item.spread) {
          const inner = sequenceItems(item.value);
          if (!inner) return undefined;
          out.push(...inner);
        } else {
          out.push({ node: item.value, repeat: 1 });
        }
      }
      return out;
    }
    case 'comprehension':
      return node.repeat === undefined ? undefined : [{ node: node.element, repeat: node.repeat }];
    case 'concat': {
      const out: { node: SyntaxNode; repeat: number }[] = [];
      for (const part of node.parts) {
        const inner = sequenceItems(part.node);
        if (!inner) return undefined;
        for (let r = 0; r < part.repeat; r++) out.push(...inner);
      }
      return out;
    }
    default:
      return undefined;
  }
}
