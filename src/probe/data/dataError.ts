export type DataErrorCode =
  | 'not-found'
  | 'unreadable'
  | 'bad-magic'
  | 'truncated'
  | 'count-mismatch'
  | 'bad-shape'
  | 'bad-dtype'
  | 'too-large'
  | 'corrupt'
  | 'bad-source';

/**
 * Everything the data loaders refuse, as one line a person can act on: `<file>: <what is wrong>`.
 * Callers show `message` as is; the stack is for debuggers, never for the message.
 */
export class DataError extends Error {
  override readonly name = 'DataError';
  readonly file: string;
  readonly code: DataErrorCode;
  /** The message without the file prefix, for views that show the file separately. */
  readonly problem: string;

  constructor(file: string, code: DataErrorCode, problem: string) {
    // Problems are built from file contents too (names inside a zip); keep them on one line.
    const oneLine = problem.replace(/\s*[\r\n]+\s*/g, ' ').trim();
    super(`${file}: ${oneLine}`);
    this.file = file;
    this.code = code;
    this.problem = oneLine;
  }
}
