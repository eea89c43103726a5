/**
 * Statements and scopes, as far as the scanner needs them: assignments (to resolve a variable
 * to its value), functions and their parameters (to follow an initializer passed as an
 * argument), classes, and `for _ in range(n)` blocks (repeated layers).
 */
import type { SourceLanguage, TokenStream } from './lexer';
import type { SyntaxReader, SyntaxNode } from './syntaxTree';

export interface Assignment {
  target: string;
  value: SyntaxNode;
  offset: number;
}

export interface FunctionScope {
  name: string;
  params: string[];
  /** Methods: the first parameter (self) is not passed at call sites `obj.m(...)`. */
  method: boolean;
  start: number;
  end: number;
}

export interface Block {
  start: number;
  end: number;
  repeat: number;
}

/** Tokens that continue a JavaScript expression onto the next line. */
const CONTINUES = new Set(['.', '?.', '+', '-', '*', '/', '?', ':', '(', '[', '&&', '||', '??', ',']);

export function product(shape: readonly (number | undefined)[]): number | undefined {
  let p = 1;
  for (const d of shape) {
    if (d === undefined) return undefined;
    p *= d;
  }
  return p;
}

export class Scopes {
  readonly assignments: Assignment[] = [];
  /** Assignments per target, in document order (binary-searched by offset). */
  readonly assignmentsTo = new Map<string, Assignment[]>();
  readonly assignmentOf = new Map<SyntaxNode, Assignment>();
  readonly assignedValues = new Map<SyntaxNode, string>();
  readonly functions: FunctionScope[] = [];
  readonly classes: { start: number; end: number }[] = [];
  readonly blocks: Block[] = [];
  private readonly python: boolean;

  constructor(
    private readonly text: string,
    language: SourceLanguage,
    private readonly stream: TokenStream,
    private readonly reader: SyntaxReader,
  ) {
    this.python = language === 'python';
    this.readStatements();
  }


  /** Token index after a statement's value, when it ends the statement. */
  private endsStatement(next: number): boolean {
    const tokens = this.stream.tokens;
    if (next >= tokens.length) return true;
    const t = tokens[next];
    if (t.kind === 'punct' && (t.text === ';' || t.text === '}' || t.text === ')')) return true;
    if (this.python) return this.stream.indent[next] >= 0;
    // JavaScript without semicolons: a new line that doesn't continue the expression.
    let newline = false;
    for (let i = tokens[next - 1].end; i < t.start && !newline; i++) newline = this.text.charCodeAt(i) === 10;
    return newline && !(t.kind === 'punct' && CONTINUES.has(t.text));
  }

  valueAt(first: number): SyntaxNode | undefined {
    const tokens = this.stream.tokens;
    const last = tokens.length - 1;
    const t = tokens[first];
    if (!t) return undefined;
    if (t.kind === 'name') {
      const { node, next } = this.reader.primary(first, last);
      return this.endsStatement(next) ? node : undefined;
    }
    if (t.kind === 'punct' && (t.text === '[' || t.text === '(' || t.text === '{')) {
      const close = this.stream.partner[first];
      if (close > first && this.endsStatement(close + 1)) return this.reader.expr(first, close);
      if (close > first && this.python) {
        // `[...] + [...]`: up to the end of the logical line.
        let end = close + 1;
        while (end < tokens.length && this.stream.indent[end] < 0 && !(tokens[end].kind === 'punct' && tokens[end].text === ';')) end++;
        return this.reader.expr(first, end - 1);
      }
      return undefined;
    }
    if ((t.kind === 'string' || t.kind === 'number') && this.endsStatement(first + 1)) return this.reader.expr(first, first);
    if (t.kind === 'punct' && t.text === '-' && tokens[first + 1]?.kind === 'number' && this.endsStatement(first + 2)) return this.reader.expr(first, first + 1);
    return undefined;
  }

  readStatements(): void {
    const { tokens, parent, partner } = this.stream;
    for (let k = 0; k < tokens.length; k++) {
      const t = tokens[k];
      if (t.kind === 'punct' && t.text === '=') {
        const p = parent[k];
        const topLevel = this.python ? p === -1 : p === -1 || tokens[p].text === '{';
        if (!topLevel) continue;
        // Walk back over a dotted target: self.fc1 = …, x = …
        let j = k - 1;
        const parts: string[] = [];
        while (j >= 0 && tokens[j].kind === 'name') {
          parts.unshift(tokens[j].text);
          if (j >= 1 && tokens[j - 1].kind === 'punct' && tokens[j - 1].text === '.') j -= 2;
          else break;
        }
        if (parts.length === 0) continue;
        // `const model: tf.Sequential = …` / `n: int = 128`: the annotated name is the target.
        const annotated = tokens[j - 1]?.text === ':' && tokens[j - 2]?.kind === 'name' ? tokens[j - 2].text : undefined;
        const value = this.valueAt(k + 1);
        if (!value) continue;
        const target = annotated ?? parts.join('.');
        const assignment = { target, value, offset: t.start };
        this.assignments.push(assignment);
        const list = this.assignmentsTo.get(target);
        if (list) list.push(assignment);
        else this.assignmentsTo.set(target, [assignment]);
        this.assignmentOf.set(value, assignment);
        this.assignedValues.set(value, target);
        continue;
      }
      if (t.kind !== 'name') continue;
      if (this.python && (t.text === 'def' || t.text === 'class' || t.text === 'for')) {
        const head = this.logicalStart(k);
        if (head !== k && !(head === k - 1 && tokens[head].text === 'async')) continue;
        const end = this.pythonBlockEnd(head);
        if (t.text === 'class') {
          this.classes.push({ start: t.start, end });
        } else if (t.text === 'def') {
          const name = tokens[k + 1];
          const open = k + 2;
          if (name?.kind === 'name' && tokens[open]?.text === '(' && partner[open] > open) {
            const params = this.paramNames(open);
            const inClass = this.classes.some((c) => c.start < t.start && t.start < c.end);
            this.functions.push({ name: name.text, params, method: inClass && (params[0] === 'self' || params[0] === 'cls'), start: t.start, end });
          }
        } else {
          const repeat = this.pythonRangeRepeat(k);
          if (repeat !== undefined) this.blocks.push({ start: t.start, end, repeat });
        }
        continue;
      }
      if (!this.python && t.text === 'function') {
        const name = tokens[k + 1];
        const open = k + 2;
        if (name?.kind === 'name' && tokens[open]?.text === '(' && partner[open] > open) {
          const body = partner[open] + 1;
          const bodyEnd = tokens[body]?.text === '{' && partner[body] > body ? tokens[partner[body]].end : tokens[partner[open]].end;
          this.functions.push({ name: name.text, params: this.paramNames(open), method: false, start: t.start, end: bodyEnd });
        }
        continue;
      }
      if (!this.python && (t.text === 'const' || t.text === 'let' || t.text === 'var')) {
        // const f = (a, b) => { … }
        const name = tokens[k + 1];
        const open = k + 3;
        if (name?.kind === 'name' && tokens[k + 2]?.text === '=' && tokens[open]?.text === '(' && partner[open] > open && tokens[partner[open] + 1]?.text === '=>') {
          const body = partner[open] + 2;
          const bodyEnd = tokens[body]?.text === '{' && partner[body] > body ? tokens[partner[body]].end : this.text.length;
          this.functions.push({ name: name.text, params: this.paramNames(open), method: false, start: t.start, end: bodyEnd });
        }
        continue;
      }
      if (!this.python && t.text === 'for' && tokens[k + 1]?.text === '(') {
        const open = k + 1;
        const close = partner[open];
        if (close <= open) continue;
        let repeat: number | undefined;
        for (let m = open + 1; m < close; m++) {
          if (tokens[m].text === '<' && tokens[m + 1]?.kind === 'number') repeat = tokens[m + 1].number;
          else if (tokens[m].text === '<' && tokens[m + 1]?.kind === 'name') repeat = this.constantNumber(tokens[m + 1].text, tokens[m].start);
        }
        const body = close + 1;
        if (repeat !== undefined && Number.isInteger(repeat) && repeat >= 0 && tokens[body]?.text === '{' && partner[body] > body) {
          this.blocks.push({ start: t.start, end: tokens[partner[body]].end, repeat });
        }
      }
    }
  }

  /** Token index where the logical line holding token k starts (Python). */
  private logicalStart(k: number): number {
    let j = k;
    while (j > 0 && this.stream.indent[j] < 0) j--;
    return j;
  }

  /** End offset of the indented block whose header line starts at token `head` (Python). */
  private pythonBlockEnd(head: number): number {
    const { tokens, indent } = this.stream;
    const own = indent[head];
    for (let m = head + 1; m < tokens.length; m++) {
      if (indent[m] >= 0 && indent[m] <= own) {
        // The header's own line can hold the body after the colon (`for _ in range(3): model.add(…)`).
        return tokens[m].start;
      }
    }
    return this.text.length;
  }

  /** `for _ in range(N):` → N. */
  private pythonRangeRepeat(k: number): number | undefined {
    const tokens = this.stream.tokens;
    let m = k + 1;
    while (m < tokens.length && !(tokens[m].kind === 'name' && tokens[m].text === 'in') && this.stream.indent[m] < 0) m++;
    if (tokens[m]?.text !== 'in' || tokens[m + 1]?.text !== 'range' || tokens[m + 2]?.text !== '(') return undefined;
    const close = this.stream.partner[m + 2];
    if (close !== m + 4 || tokens[close + 1]?.text !== ':') return undefined;
    const n = tokens[m + 3];
    const value = n.kind === 'number' ? n.number : n.kind === 'name' ? this.constantNumber(n.text, n.start) : undefined;
    return value !== undefined && Number.isInteger(value) && value >= 0 ? value : undefined;
  }

  private paramNames(open: number): string[] {
    const tokens = this.stream.tokens;
    const close = this.stream.partner[open];
    const names: string[] = [];
    let expectName = true;
    for (let m = open + 1; m < close; m++) {
      const t = tokens[m];
      if (t.kind === 'punct' && (t.text === '(' || t.text === '[' || t.text === '{')) {
        if (expectName) names.push(''); // destructuring: a parameter without a usable name
        expectName = false;
        m = Math.max(m, this.stream.partner[m]);
        continue;
      }
      if (t.kind === 'punct' && t.text === ',') {
        expectName = true;
        continue;
      }
      if (expectName && t.kind === 'name') {
        names.push(t.text);
        expectName = false;
      } else if (expectName && t.kind === 'punct' && (t.text === '*' || t.text === '/')) {
        // `*` and `/` markers, or *args: skip the marker itself.
        if (tokens[m + 1]?.kind !== 'name') expectName = false;
      }
    }
    return names;
  }

  repeatAt(offset: number): number {
    let r = 1;
    for (const b of this.blocks) if (b.start <= offset && offset < b.end) r *= b.repeat;
    return r;
  }

  enclosingFunction(offset: number): FunctionScope | undefined {
    let best: FunctionScope | undefined;
    for (const f of this.functions) {
      if (f.start < offset && offset < f.end && (!best || f.start > best.start)) best = f;
    }
    return best;
  }

  /** The latest assignment to `name` before `offset`. */
  assignmentBefore(name: string, offset: number): Assignment | undefined {
    const list = this.assignmentsTo.get(name);
    if (!list || list[0].offset >= offset) return undefined;
    let lo = 0;
    let hi = list.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (list[mid].offset < offset) lo = mid;
      else hi = mid - 1;
    }
    return list[lo];
  }

  constantNumber(name: string, offset: number, depth = 0): number | undefined {
    const a = this.assignmentBefore(name, offset);
    if (!a || depth > 4) return undefined;
    if (a.value.type === 'number') return a.value.value;
    if (a.value.type === 'name' && a.value.path.length === 1) return this.constantNumber(a.value.path[0], a.offset, depth + 1);
    return undefined;
  }

  /** A name resolved through simple assignments to the node it holds. */
  resolve(node: SyntaxNode, depth = 0): SyntaxNode {
    if (node.type !== 'name' || depth > 4) return node;
    const a = this.assignmentBefore(node.path.join('.'), node.start);
    return a ? this.resolve(a.value, depth + 1) : node;
  }

  numberOf(node: SyntaxNode | undefined): number | undefined {
    if (!node) return undefined;
    const v = this.resolve(node);
    return v.type === 'number' && Number.isFinite(v.value) ? v.value : undefined;
  }

  shapeOf(node: SyntaxNode | undefined): (number | undefined)[] | undefined {
    if (!node) return undefined;
    const v = this.resolve(node);
    if (v.type === 'number') return [v.value];
    if (v.type !== 'list' && v.type !== 'tuple') return undefined;
    return v.items.map((i) => this.numberOf(i.value));
  }
}
