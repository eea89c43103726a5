/**
 * Errors a user can cause carry their own one-line message; anything else is a bug, reported
 * by its first line only (the stack goes to stderr for whoever debugs it, never to the user).
 */
const USER_ERRORS = new Set(['ConfigError', 'DataError', 'InitializerParseError']);

export function isUserError(err: unknown): err is Error {
  return err instanceof Error && USER_ERRORS.has(err.name);
}

export function oneLineReason(err: unknown): string {
  if (isUserError(err)) return err.message.split('\n')[0];
  if (err instanceof Error) {
    if (process.env.INITLENS_DEBUG) process.stderr.write(`${err.stack}\n`);
    return `internal error: ${err.message.split('\n')[0]}`;
  }
  return `internal error: ${String(err)}`;
}
