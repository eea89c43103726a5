/**
 * Python source → logical statements in a tree of blocks (by indentation): enough structure for
 * the model reader to follow helper functions and `for` loops that build a network. A statement
 * spans lines while a bracket is open or a line ends in a backslash; strings and comments are
 * skipped when counting brackets. Pure.
 */

export interface PyStatement {
  /** Columns of leading whitespace. */
  indent: number;
  /** The statement's code as written, comments and line-continuation backslashes blanked (same length: offsets match the file's). */
  code: string;
  /** Offset of the statement's first non-blank character in the file. */
  start: number;
  /** 1-based line. */
  line: number;
  /** Statements of the block this one opens (`def …:`, `for …:`), else empty. */
  body: PyStatement[];
}

/** Logical statements of `text`, nested by indentation. */
export function pyBlocks(text: string): PyStatement[] {
  const flat: PyStatement[] = [];
  let i = 0;
  let line = 1;
  const n = text.length;
  while (i < n) {
    // Start of a physical line: measure indentation.
    let j = i;
    let indent = 0;
    while (j < n && (text[j] === ' ' || text[j] === '\t')) {
      indent += text[j] === '\t' ? 8 - (indent % 8) : 1;
      j++;
    }
    if (j >= n) break;
    if (text[j] === '\n' || text[j] === '#' || text[j] === '\r') {
      const nl = text.indexOf('\n', j);
      if (nl < 0) break;
      i = nl + 1;
      line++;
      continue;
    }
    const start = j;
    const startLine = line;
    let depth = 0;
    let code = '';
    let k = j;
    for (;;) {
      if (k >= n) break;
      const c = text[k];
      if (c === '#') {
        // Blanked, not removed: offsets into the statement stay offsets into the file.
        while (k < n && text[k] !== '\n') {
          code += ' ';
          k++;
        }
        continue;
      }
      if (c === '"' || c === "'") {
        const triple = text.startsWith(c.repeat(3), k);
        const quote = triple ? c.repeat(3) : c;
        let e = k + quote.length;
        while (e < n && !text.startsWith(quote, e)) {
          if (text[e] === '\\') e++;
          else if (!triple && text[e] === '\n') break;
          e++;
        }
        const end = Math.min(n, e + quote.length);
        const s = text.slice(k, end);
        line += (s.match(/\n/g) ?? []).length;
        code += s;
        k = end;
        continue;
      }
      if (c === '(' || c === '[' || c === '{') depth++;
      else if (c === ')' || c === ']' || c === '}') depth = Math.max(0, depth - 1);
      if (c === '\n') {
        line++;
        const continued = depth > 0 || /\\\s*$/.test(code);
        if (!continued) {
          k++;
          break;
        }
      }
      code += c;
      k++;
    }
    flat.push({ indent, code: code.replace(/\\(?=\s*\n)/g, ' ').trimEnd(), start, line: startLine, body: [] });
    i = k;
  }
  // Nest by indentation: a statement ending in ':' opens a block of the deeper statements after it.
  const root: PyStatement[] = [];
  const stack: PyStatement[] = [];
  for (const s of flat) {
    while (stack.length && stack[stack.length - 1].indent >= s.indent) stack.pop();
    (stack.length ? stack[stack.length - 1].body : root).push(s);
    if (/:$/.test(s.code)) stack.push(s);
  }
  return root;
}
