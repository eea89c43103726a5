/**
 * Flag parsing shared by the CLI's subcommands (compare, theory, propagate): node's parseArgs,
 * strict, and every complaint as one ConfigError line.
 */
import { parseArgs } from 'node:util';
import type { ParseArgsConfig } from 'node:util';
import { ConfigError } from './probe/config';
import { ACTIVATIONS } from './probe/initializers/spec';
import type { Activation } from './probe/initializers/spec';
import { firstLine } from './protocol/parse';

const FLAG = /^--[a-z0-9-]+$/;

/** `--depth -5` is a (bad) value, not a flag: parseArgs calls it ambiguous; join it to its flag so the range check can name it. */
export function joinNegativeValues(argv: readonly string[]): string[] {
  return argv.flatMap((a, i) => (i > 0 && FLAG.test(argv[i - 1]) && /^-\d/.test(a) ? [] : [FLAG.test(a) && /^-\d/.test(argv[i + 1] ?? '') ? `${a}=${argv[i + 1]}` : a]));
}

/** Strict flags, no positionals; parseArgs' own error becomes one line. */
export function parseFlags<O extends NonNullable<ParseArgsConfig['options']>>(argv: readonly string[], options: O) {
  try {
    return parseArgs({ args: joinNegativeValues(argv), allowPositionals: false, strict: true, options }).values;
  } catch (err) {
    throw new ConfigError('cli', firstLine(err).replace(/\. To specify a positional.*$/, ''));
  }
}

/** A number flag: `fallback` when absent; `check` (described by `rule`) when given. */
export function numberFlag(name: string, text: string | undefined, fallback: number, check?: (x: number) => boolean, rule?: string): number {
  if (text === undefined) return fallback;
  const value = Number(text);
  if (text.trim() === '' || !Number.isFinite(value)) throw new ConfigError('cli', `--${name}: '${text}' is not a number`);
  if (check && !check(value)) throw new ConfigError('cli', `--${name} must be ${rule}, got ${text}`);
  return value;
}

export function activationFlag(text: string | undefined, fallback: Activation): Activation {
  const activation = text ?? fallback;
  if (!(ACTIVATIONS as readonly string[]).includes(activation)) throw new ConfigError('cli', `--activation: unknown activation '${activation}' (one of ${ACTIVATIONS.join(', ')})`);
  return activation as Activation;
}
