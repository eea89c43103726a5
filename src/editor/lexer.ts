/**
 * A forgiving tokenizer for Python and JavaScript/TypeScript source, just precise enough to
 * tell code from comments and strings and to match brackets. It never throws: half-typed code
 * (an unterminated string, a stray bracket) is what an editor holds most of the time.
 */

export type SourceLanguage = 'python' | 'javascript';
export type TokenKind = 'name' | 'number' | 'string' | 'punct';

export interface Token {
  kind: TokenKind;
  start: number;
  end: number;
  /** Source text for names, numbers and punctuation; the raw literal for strings. */
  text: string;
  /** Strings: the content between the quotes (escapes resolved); undefined for f-strings/templates with holes. */
  value?: string;
  /** Numbers: the value (NaN when unreadable). */
  number?: number;
}

export interface TokenStream {
  tokens: Token[];
  /** Partner bracket of each bracket token, -1 when unmatched or not a bracket. */
  partner: Int32Array;
  /** Innermost unclosed opening bracket around each token, -1 at top level. */
  parent: Int32Array;
  /** Python: the column of tokens that start a logical line, -1 elsewhere. JS: -1 everywhere. */
  indent: Int32Array;
  /** Offsets where each physical line starts. */
  lineStarts: number[];
}

const PY_OPERATORS = ['**=', '//=', '>>=', '<<=', '...', '**', '//', '==', '!=', '<=', '>=', '->', ':=', '+=', '-=', '*=', '/=', '%=', '&=', '|=', '^=', '<<', '>>'];
const JS_OPERATORS = [
  '>>>=', '===', '!==', '**=', '...', '>>=', '<<=', '&&=', '||=', '??=', '>>>',
  '=>', '==', '!=', '<=', '>=', '**', '&&', '||', '??', '?.', '+=', '-=', '*=', '/=', '%=', '&=', '|=', '^=', '<<', '>>', '++', '--',
];

/** Multi-character operators by their first character, longest first. */
function byFirstChar(operators: readonly string[]): Map<string, string[]> {
  const map = new Map<string, string[]>();
  for (const op of operators) map.set(op[0], [...(map.get(op[0]) ?? []), op]);
  for (const list of map.values()) list.sort((a, b) => b.length - a.length);
  return map;
}
const PY_BY_FIRST = byFirstChar(PY_OPERATORS);
const JS_BY_FIRST = byFirstChar(JS_OPERATORS);

const OPEN = new Set(['(', '[', '{']);
const CLOSE_OF: Record<string, string> = { ')': '(', ']': '[', '}': '{' };

function isNameStart(c: number): boolean {
  return (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || c === 95 || c === 36 || c > 127;
}
function isNamePart(c: number): boolean {
  return isNameStart(c) || (c >= 48 && c <= 57);
}
function isDigit(c: number): boolean {
  return c >= 48 && c <= 57;
}

const SIMPLE_ESCAPES: Record<string, string> = { n: '\n', t: '\t', r: '\r', '0': '\0', '\\': '\\', "'": "'", '"': '"', '`': '`' };

/** Python string prefixes (r, b, f, u and their pairs), case-insensitive. */
const PY_PREFIX = /^(?:[rRbBuUfF]|[rR][bBfF]|[bBfF][rR])$/;

/** After these tokens a `/` in JavaScript divides; elsewhere it starts a regular expression. */
const KEYWORDS_BEFORE_REGEX = new Set(['return', 'typeof', 'instanceof', 'in', 'of', 'new', 'delete', 'void', 'throw', 'case', 'do', 'else', 'yield', 'await']);

function slashDivides(prev: Token | undefined): boolean {
  if (!prev) return false;
  if (prev.kind === 'name') return !KEYWORDS_BEFORE_REGEX.has(prev.text);
  if (prev.kind === 'number' || prev.kind === 'string') return true;
  return prev.text === ')' || prev.text === ']' || prev.text === '}' || prev.text === '++' || prev.text === '--';
}

export function tokenize(text: string, language: SourceLanguage): TokenStream {
  const tokens: Token[] = [];
  const lineStarts = [0];
  const python = language === 'python';
  const operators = python ? PY_BY_FIRST : JS_BY_FIRST;
  const logicalStarts: number[] = [];
  const logicalIndents: number[] = [];
  let depth = 0;
  let atLineStart = true;
  let lineStart = 0;
  let i = 0;
  const n = text.length;

  /** `inToken`: a line break inside a string or comment, which never starts a logical line. */
  const newline = (at: number, inToken = true): void => {
    lineStarts.push(at + 1);
    lineStart = at + 1;
    if (!inToken && depth === 0) atLineStart = true;
  };

  /** Reads a quoted string starting at the quote `i`; returns its end and content. */
  const readQuoted = (quoteAt: number, raw: boolean): { end: number; value: string } => {
    const q = text[quoteAt];
    const triple = python && text.startsWith(q.repeat(3), quoteAt);
    const open = quoteAt + (triple ? 3 : 1);
    let j = open;
    // Most strings have no escapes and no line breaks: one slice, no per-character building.
    if (!triple) {
      const qc = q.charCodeAt(0);
      while (j < n) {
        const c = text.charCodeAt(j);
        if (c === qc) return { end: j + 1, value: text.slice(open, j) };
        if (c === 92 || c === 10) break;
        j++;
      }
      if (j >= n) return { end: n, value: text.slice(open, n) };
      if (text.charCodeAt(j) === 10) return { end: j, value: text.slice(open, j) };
    }
    let value = text.slice(open, j);
    while (j < n) {
      const c = text[j];
      if (triple ? text.startsWith(q.repeat(3), j) : c === q) return { end: j + (triple ? 3 : 1), value };
      if (c === '\n') {
        if (!triple) return { end: j, value };
        newline(j);
      }
      if (c === '\\' && j + 1 < n) {
        const next = text[j + 1];
        if (next === '\n') newline(j + 1);
        value += raw ? c + next : (SIMPLE_ESCAPES[next] ?? next);
        j += 2;
        continue;
      }
      value += c;
      j++;
    }
    return { end: n, value };
  };

  /** JavaScript template literal; holes `${…}` are skipped with their own nesting. */
  const readTemplate = (at: number): { end: number; value?: string } => {
    let j = at + 1;
    let value = '';
    let holes = false;
    while (j < n) {
      const c = text[j];
      if (c === '`') return { end: j + 1, value: holes ? undefined : value };
      if (c === '\n') newline(j);
      if (c === '\\' && j + 1 < n) {
        value += SIMPLE_ESCAPES[text[j + 1]] ?? text[j + 1];
        j += 2;
        continue;
      }
      if (c === '$' && text[j + 1] === '{') {
        holes = true;
        let braces = 1;
        j += 2;
        while (j < n && braces > 0) {
          const d = text[j];
          if (d === '{') braces++;
          else if (d === '}') braces--;
          else if (d === '\n') newline(j);
          else if (d === "'" || d === '"') {
            j = readQuoted(j, false).end;
            continue;
          } else if (d === '`') {
            j = readTemplate(j).end;
            continue;
          }
          j++;
        }
        continue;
      }
      value += c;
      j++;
    }
    return { end: n, value: holes ? undefined : value };
  };

  // One object shape for every token keeps property access monomorphic (and fast).
  const push = (kind: TokenKind, start: number, end: number, tokenText: string, value?: string, num?: number): void => {
    const token: Token = { kind, start, end, text: tokenText, value, number: num };
    if (atLineStart && python) {
      logicalStarts.push(tokens.length);
      logicalIndents.push(token.start - lineStart);
    }
    atLineStart = false;
    tokens.push(token);
  };

  while (i < n) {
    const c = text.charCodeAt(i);
    if (c === 10) {
      newline(i, false);
      i++;
      continue;
    }
    if (c === 32 || c === 9 || c === 13 || c === 12 || c === 11 || c === 0xa0 || c === 0xfeff) {
      i++;
      continue;
    }
    if (python) {
      if (c === 35) {
        while (i < n && text.charCodeAt(i) !== 10) i++;
        continue;
      }
      // IPython magics and shell escapes in notebook cells: `%matplotlib inline`, `!pip install …`.
      if (atLineStart && depth === 0 && (c === 37 || c === 33)) {
        while (i < n && text.charCodeAt(i) !== 10) i++;
        continue;
      }
      if (c === 92 && text[i + 1] === '\n') {
        // An explicit line continuation keeps the logical line going.
        lineStarts.push(i + 2);
        lineStart = i + 2;
        i += 2;
        continue;
      }
    } else {
      if (c === 47 && text[i + 1] === '/') {
        while (i < n && text.charCodeAt(i) !== 10) i++;
        continue;
      }
      if (c === 47 && text[i + 1] === '*') {
        let j = i + 2;
        while (j < n && !(text[j] === '*' && text[j + 1] === '/')) {
          if (text[j] === '\n') newline(j);
          j++;
        }
        i = Math.min(n, j + 2);
        continue;
      }
      if (c === 47 && !slashDivides(tokens[tokens.length - 1])) {
        // A regular expression literal: skip it whole so quotes inside it don't open strings.
        let j = i + 1;
        let inClass = false;
        while (j < n && text[j] !== '\n') {
          const d = text[j];
          if (d === '\\') {
            j += 2;
            continue;
          }
          if (d === '[') inClass = true;
          else if (d === ']') inClass = false;
          else if (d === '/' && !inClass) break;
          j++;
        }
        if (text[j] === '/') {
          j++;
          while (j < n && isNamePart(text.charCodeAt(j))) j++;
          push('string', i, j, text.slice(i, j));
          i = j;
          continue;
        }
      }
      if (c === 96) {
        const t = readTemplate(i);
        push('string', i, t.end, text.slice(i, t.end), t.value);
        i = t.end;
        continue;
      }
    }
    if (isNameStart(c)) {
      let j = i + 1;
      while (j < n && isNamePart(text.charCodeAt(j))) j++;
      const word = text.slice(i, j);
      const q = text[j];
      if (python && (q === "'" || q === '"') && PY_PREFIX.test(word)) {
        const lower = word.toLowerCase();
        const s = readQuoted(j, lower.includes('r'));
        push('string', i, s.end, text.slice(i, s.end), lower.includes('f') && s.value.includes('{') ? undefined : s.value);
        i = s.end;
        continue;
      }
      push('name', i, j, word);
      i = j;
      continue;
    }
    if (isDigit(c) || (c === 46 && isDigit(text.charCodeAt(i + 1)))) {
      let j = i;
      if (c === 48 && /[xXoObB]/.test(text[i + 1] ?? '')) {
        j += 2;
        while (j < n && /[0-9a-fA-F_]/.test(text[j])) j++;
      } else {
        while (j < n && (isDigit(text.charCodeAt(j)) || text[j] === '_')) j++;
        if (text[j] === '.' && text[j + 1] !== '.') {
          j++;
          while (j < n && (isDigit(text.charCodeAt(j)) || text[j] === '_')) j++;
        }
        if ((text[j] === 'e' || text[j] === 'E') && /[-+\d]/.test(text[j + 1] ?? '')) {
          j += 2;
          while (j < n && (isDigit(text.charCodeAt(j)) || text[j] === '_')) j++;
        }
      }
      const raw = text.slice(i, j);
      while (j < n && isNamePart(text.charCodeAt(j))) j++; // 1j, 10n, 1L: suffixes
      push('number', i, j, text.slice(i, j), undefined, Number(raw.replace(/_/g, '')));
      i = j;
      continue;
    }
    if (c === 39 || c === 34) {
      const s = readQuoted(i, false);
      push('string', i, s.end, text.slice(i, s.end), s.value);
      i = s.end;
      continue;
    }
    let op = text[i];
    const candidates = operators.get(op);
    if (candidates) {
      for (const candidate of candidates) {
        if (text.startsWith(candidate, i)) {
          op = candidate;
          break;
        }
      }
    }
    if (OPEN.has(op)) depth++;
    else if (op in CLOSE_OF) depth = Math.max(0, depth - 1);
    push('punct', i, i + op.length, op);
    i += op.length;
  }

  const count = tokens.length;
  const partner = new Int32Array(count).fill(-1);
  const parent = new Int32Array(count).fill(-1);
  const indent = new Int32Array(count).fill(-1);
  for (let k = 0; k < logicalStarts.length; k++) indent[logicalStarts[k]] = logicalIndents[k];
  const stack: number[] = [];
  for (let k = 0; k < count; k++) {
    const t = tokens[k];
    parent[k] = stack.length > 0 ? stack[stack.length - 1] : -1;
    if (t.kind !== 'punct') continue;
    if (OPEN.has(t.text)) {
      stack.push(k);
    } else if (t.text in CLOSE_OF) {
      // Close the nearest matching opener; openers left open in between stay unmatched.
      const want = CLOSE_OF[t.text];
      for (let s = stack.length - 1; s >= 0; s--) {
        if (tokens[stack[s]].text === want) {
          partner[k] = stack[s];
          partner[stack[s]] = k;
          stack.length = s;
          break;
        }
      }
      parent[k] = stack.length > 0 ? stack[stack.length - 1] : -1;
    }
  }
  return { tokens, partner, parent, indent, lineStarts };
}

/** 0-based line of an offset. */
export function lineOf(lineStarts: readonly number[], offset: number): number {
  let lo = 0;
  let hi = lineStarts.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (lineStarts[mid] <= offset) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}
