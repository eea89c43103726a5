/** The one error the initializer parser throws; everything a user can write wrong ends here. */

export type ParseErrorKind =
  /** Not readable as a name or a call: stray characters, unbalanced brackets, unterminated strings. */
  | 'syntax'
  /** A name no supported library defines. */
  | 'unknown-initializer'
  /** A keyword the function does not take, or too many positional arguments. */
  | 'unknown-argument'
  /** An argument of the wrong type or outside its range. */
  | 'bad-argument'
  /** A real library function InitLens does not model (sparse_, dirac_, …). */
  | 'unsupported';

export class InitializerParseError extends Error {
  override readonly name = 'InitializerParseError';
  /** The problem alone, without the suggestions. */
  readonly reason: string;
  /** Close spellings the user may have meant (names, keywords or values), best first. */
  readonly suggestions: string[];
  readonly kind: ParseErrorKind;
  /** Character offset in the written text the problem points at, when known. */
  readonly offset?: number;

  constructor(kind: ParseErrorKind, reason: string, suggestions: string[] = [], offset?: number) {
    const line = reason.replace(/[\r\n]+/g, ' ');
    super(suggestions.length > 0 ? `${line} — did you mean ${suggestions.join(', ')}?` : line);
    this.kind = kind;
    this.reason = line;
    this.suggestions = suggestions;
    if (offset !== undefined) this.offset = offset;
  }
}

/** User text quoted inside a one-line message: whitespace collapsed, long text cut. */
export function quoteText(text: string, max = 40): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  const cut = [...flat].length > max ? `${[...flat].slice(0, max - 1).join('')}…` : flat;
  return `'${cut}'`;
}
