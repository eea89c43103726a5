/**
 * The surface syntax shared by Python and JavaScript initializer expressions: tokens, and the
 * shape `[prefix =|:] name[.name…][(arguments)]` or a quoted name. Argument values stay token
 * slices here; `values.ts` decides what they mean.
 */
import { InitializerParseError, quoteText } from './parseError';

export type TokenKind = 'name' | 'number' | 'string' | 'punct';

export interface Token {
  kind: TokenKind;
  /** Source text of the token (for strings: with quotes). */
  text: string;
  /** Offset of the token's first character in the written text. */
  start: number;
  /** Numbers: the value; strings: the content, unescaped. */
  number?: number;
  content?: string;
}

const PUNCT_2 = new Set(['**']);
const PUNCT_1 = new Set(['(', ')', '[', ']', '{', '}', ',', '=', ':', '.', '+', '-', '*', '/', ';']);
const NAME_START = /[A-Za-z_$]/;
const NAME_PART = /[A-Za-z0-9_$]/;
const NUMBER = /^(?:\d[\d_]*(?:\.[\d_]*)?|\.\d[\d_]*)(?:[eE][+-]?\d[\d_]*)?/;
const ESCAPES: Record<string, string> = { n: '\n', t: '\t', r: '\r', '0': '\0', '\\': '\\', "'": "'", '"': '"', '`': '`' };

/** Splits the written text into tokens; `#` and `//` start a comment that runs to the end of the line. */
export function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < text.length) {
    const ch = text[i];
    if (/\s/.test(ch)) {
      i++;
      continue;
    }
    if (ch === '#' || (ch === '/' && text[i + 1] === '/')) {
      while (i < text.length && text[i] !== '\n') i++;
      continue;
    }
    if (NAME_START.test(ch)) {
      const start = i;
      while (i < text.length && NAME_PART.test(text[i])) i++;
      tokens.push({ kind: 'name', text: text.slice(start, i), start });
      continue;
    }
    if (/\d/.test(ch) || (ch === '.' && /\d/.test(text[i + 1] ?? ''))) {
      const match = NUMBER.exec(text.slice(i, i + 400));
      const raw = match ? match[0] : ch;
      const value = Number(raw.replace(/_/g, ''));
      if (!match || raw.includes('__') || /_(?:$|[.eE])|[.eE]_/.test(raw) || Number.isNaN(value)) {
        throw new InitializerParseError('syntax', `malformed number ${quoteText(raw)}`, [], i);
      }
      if (NAME_PART.test(text[i + raw.length] ?? '')) {
        throw new InitializerParseError('syntax', `malformed number ${quoteText(text.slice(i, i + raw.length + 1))}`, [], i);
      }
      tokens.push({ kind: 'number', text: raw, start: i, number: value });
      i += raw.length;
      continue;
    }
    if (ch === "'" || ch === '"' || ch === '`') {
      const start = i;
      let content = '';
      i++;
      let closed = false;
      while (i < text.length) {
        const c = text[i];
        if (c === ch) {
          closed = true;
          i++;
          break;
        }
        if (c === '\n') break;
        if (c === '\\' && i + 1 < text.length) {
          const next = text[i + 1];
          content += ESCAPES[next] ?? next;
          i += 2;
          continue;
        }
        content += c;
        i++;
      }
      if (!closed) throw new InitializerParseError('syntax', `unterminated string ${quoteText(text.slice(start, i))}`, [], start);
      tokens.push({ kind: 'string', text: text.slice(start, i), start, content });
      continue;
    }
    const two = text.slice(i, i + 2);
    if (PUNCT_2.has(two)) {
      tokens.push({ kind: 'punct', text: two, start: i });
      i += 2;
      continue;
    }
    if (PUNCT_1.has(ch)) {
      tokens.push({ kind: 'punct', text: ch, start: i });
      i++;
      continue;
    }
    const cp = text.codePointAt(i) ?? 0;
    const shown = cp < 0x20 || cp === 0x7f ? `U+${cp.toString(16).toUpperCase().padStart(4, '0')}` : String.fromCodePoint(cp);
    throw new InitializerParseError('syntax', `unexpected character '${shown}'`, [], i);
  }
  return tokens;
}

const OPEN: Record<string, string> = { '(': ')', '[': ']', '{': '}' };
const CLOSE = new Set([')', ']', '}']);

export function isPunct(token: Token | undefined, text: string): boolean {
  return token !== undefined && token.kind === 'punct' && token.text === text;
}

/**
 * Index of the bracket closing the one at `open`; throws on a mismatch or a missing close.
 * Iterative, so no nesting depth can overflow the stack.
 */
export function matchingClose(tokens: readonly Token[], open: number): number {
  const stack: string[] = [];
  for (let i = open; i < tokens.length; i++) {
    const t = tokens[i];
    if (t.kind !== 'punct') continue;
    if (t.text in OPEN) {
      stack.push(OPEN[t.text]);
    } else if (CLOSE.has(t.text)) {
      const expected = stack.pop();
      if (t.text !== expected) {
        throw new InitializerParseError('syntax', `unbalanced brackets: '${t.text}' where ${expected ? `'${expected}'` : 'nothing'} was expected`, [], t.start);
      }
      if (stack.length === 0) return i;
    }
  }
  throw new InitializerParseError('syntax', `unbalanced brackets: '${tokens[open].text}' is never closed`, [], tokens[open].start);
}

/** Splits tokens at top-level commas. A trailing comma is allowed; an empty item is not. */
export function splitTopLevel(tokens: readonly Token[], what: string): Token[][] {
  const items: Token[][] = [];
  let current: Token[] = [];
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i];
    if (t.kind === 'punct' && t.text in OPEN) {
      const close = matchingClose(tokens, i);
      current.push(...tokens.slice(i, close + 1));
      i = close;
      continue;
    }
    if (t.kind === 'punct' && CLOSE.has(t.text)) {
      throw new InitializerParseError('syntax', `unbalanced brackets: unexpected '${t.text}'`, [], t.start);
    }
    if (isPunct(t, ',')) {
      if (current.length === 0) throw new InitializerParseError('syntax', `empty ${what}`, [], t.start);
      items.push(current);
      current = [];
      continue;
    }
    current.push(t);
  }
  if (current.length > 0) items.push(current);
  return items;
}

export interface CallSyntax {
  /** The dotted name, e.g. ['tf', 'keras', 'initializers', 'HeNormal']. */
  path: string[];
  /** Offset of the name in the written text. */
  start: number;
  /** The name came as a string literal: `'he_normal'`. */
  quoted: boolean;
  /** Argument token slices; undefined when there were no parentheses at all. */
  args?: Token[][];
  /** `kernel_initializer=` / `kernelInitializer:` in front, if any. */
  assignment?: { key: string; operator: '=' | ':' };
}

const ASSIGNMENT_KEY = /initializer$/i;
const QUOTED_NAME = /^\s*[A-Za-z_$][\w$]*(?:\s*\.\s*[A-Za-z_$][\w$]*)*\s*$/;

/** Reads `[key =|:] (name | 'name' | name(args))` followed by nothing but `;` or `,`. */
export function readCall(text: string): CallSyntax {
  const tokens = tokenize(text);
  let i = 0;
  let assignment: CallSyntax['assignment'];
  if (tokens.length >= 2 && tokens[0].kind === 'name' && ASSIGNMENT_KEY.test(tokens[0].text) && (isPunct(tokens[1], '=') || isPunct(tokens[1], ':'))) {
    assignment = { key: tokens[0].text, operator: tokens[1].text === '=' ? '=' : ':' };
    i = 2;
  }
  const first = tokens[i];
  if (!first) throw new InitializerParseError('syntax', 'no initializer given', [], text.length);
  let call: CallSyntax;
  if (first.kind === 'string') {
    const content = first.content ?? '';
    if (!QUOTED_NAME.test(content)) {
      throw new InitializerParseError('syntax', `${quoteText(content)} is not an initializer name`, [], first.start);
    }
    call = { path: content.split('.').map((p) => p.trim()), start: first.start + 1, quoted: true };
    i++;
  } else if (first.kind === 'name') {
    const path = [first.text];
    i++;
    while (isPunct(tokens[i], '.') && tokens[i + 1]?.kind === 'name') {
      path.push(tokens[i + 1].text);
      i += 2;
    }
    call = { path, start: first.start, quoted: false };
    if (isPunct(tokens[i], '(')) {
      const close = matchingClose(tokens, i);
      call.args = splitTopLevel(tokens.slice(i + 1, close), 'argument');
      i = close + 1;
    }
  } else {
    throw new InitializerParseError('syntax', `expected an initializer name, got ${quoteText(first.text)}`, [], first.start);
  }
  while (i < tokens.length && (isPunct(tokens[i], ';') || isPunct(tokens[i], ','))) i++;
  if (i < tokens.length) {
    const t = tokens[i];
    if (t.kind === 'punct' && (t.text in OPEN || CLOSE.has(t.text))) {
      // Report the bracket problem itself rather than "unexpected (".
      if (t.text in OPEN) matchingClose(tokens, i);
      throw new InitializerParseError('syntax', `unbalanced brackets: unexpected '${t.text}'`, [], t.start);
    }
    throw new InitializerParseError('syntax', `unexpected ${quoteText(t.text)} after the initializer`, [], t.start);
  }
  if (assignment) call.assignment = assignment;
  return call;
}
