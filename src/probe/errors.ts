/**
 * Errors a user can cause carry their own one-line message; anything else is a bug, reported
 * by its first line only (the stack goes to stderr for whoever debugs it, never to the user).
 */
const USER_ERRORS = new Set(['ConfigError', 'DataError', 'InitializerParseError']);
import { firstLine } from '../protocol/parse';

export function isUserError(err: unknown): err is Error {
  return err instanceof Error && USER_ERRORS.has(err.name);
}

export function oneLineReason(err: unknown): string {
  if (isUserError(err)) return firstLine(err);
  if (err instanceof Error) {
    if (process.env.INITLENS_DEBUG) process.stderr.write(`${err.stack}\n`);
    return `internal error: ${firstLine(err)}`;
  }
  return `internal error: ${String(err)}`;
}
