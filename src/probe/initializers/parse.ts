/**
 * THE parser: any written initializer — Keras (string, class or call, any module prefix),
 * TensorFlow.js (`heNormal`, `tf.initializers.x({…})`) or PyTorch (`nn.init.x_(w, …)`) — to
 * one InitSpec. Every failure is an InitializerParseError with a one-line message; nothing
 * else escapes, whatever the input (property-tested).
 */
import type { InitDialect, ParsedInitializer } from './spec';
import type { CallSyntax } from './syntax';
import { readCall } from './syntax';
import type { InitializerFunction, SourceDialect } from './initializerFunction';
import { KERAS_FUNCTIONS } from './kerasFunctions';
import { TFJS_FUNCTIONS } from './tfjsFunctions';
import { TORCH_FUNCTIONS, TORCH_UNSUPPORTED } from './torchFunctions';
import { bindArguments } from './signature';
import { readValue } from './values';
import { InitializerParseError, quoteText } from './parseError';
import { suggest } from './suggest';
import { formatSpec } from './format';
import { firstLine } from '../../protocol/parse';

export { InitializerParseError } from './parseError';
export type { ParseErrorKind } from './parseError';
export { formatSpec, specLabel } from './format';

export interface ParseOptions {
  /**
   * The language the text was found in, for names several libraries share: `'HeNormal'` in a
   * .ts file is tfjs' (uncorrected) HeNormal, in a .py file Keras'. Explicit prefixes and
   * tfjs `{…}` arguments win over this.
   */
  dialect?: 'keras' | 'tfjs' | 'pytorch';
}

/** Longer than any initializer anyone writes; keeps pathological inputs cheap. */
const MAX_LENGTH = 4000;

/** Keras first: a shared name (zeros, orthogonal, normal…) without context is Keras'. */
const FUNCTIONS: readonly InitializerFunction[] = [...KERAS_FUNCTIONS, ...TFJS_FUNCTIONS, ...TORCH_FUNCTIONS];

const BY_NAME = new Map<string, InitializerFunction[]>();
for (const fn of FUNCTIONS) {
  for (const name of fn.names) BY_NAME.set(name, [...(BY_NAME.get(name) ?? []), fn]);
}
const UNSUPPORTED = new Map(TORCH_UNSUPPORTED.flatMap((u) => u.names.map((n) => [n, u] as const)));
const ALL_NAMES = [...new Set(FUNCTIONS.flatMap((fn) => fn.names))];

/** Every spelling the parser knows, for completion lists and suggestions. */
export function knownInitializerNames(): readonly string[] {
  return ALL_NAMES;
}

function hasObjectArgument(call: CallSyntax): boolean {
  const first = call.args?.[0];
  return first !== undefined && first[0]?.kind === 'punct' && first[0].text === '{';
}

/** Which library the surrounding text points at, if any. */
function contextDialect(call: CallSyntax, options: ParseOptions): SourceDialect | undefined {
  const prefix = call.path.slice(0, -1);
  const last = prefix[prefix.length - 1];
  if (prefix.length > 0) {
    if (last === 'init' || prefix[0] === 'torch') return 'pytorch';
    if (!prefix.includes('keras') && last === 'initializers' && (prefix[0] === 'tf' || hasObjectArgument(call))) return 'tfjs';
    if (prefix.includes('keras') || last === 'initializers') return 'keras';
  }
  if (hasObjectArgument(call)) return 'tfjs';
  if (call.assignment) {
    // `kernelInitializer: 'heNormal'` is a tfjs layer config; `kernel_initializer='he_normal'` Keras.
    return call.assignment.operator === ':' || /[a-z]I/.test(call.assignment.key) ? 'tfjs' : 'keras';
  }
  return options.dialect;
}

function resolve(call: CallSyntax, options: ParseOptions): InitializerFunction {
  const name = call.path[call.path.length - 1];
  const candidates = BY_NAME.get(name);
  if (!candidates) {
    const unsupported = UNSUPPORTED.get(name);
    if (unsupported) throw new InitializerParseError('unsupported', unsupported.reason, [], call.start);
    const shown = call.path.length > 1 ? call.path.join('.') : name;
    throw new InitializerParseError('unknown-initializer', `unknown initializer ${quoteText(shown, 60)}`, suggest(name, ALL_NAMES), call.start);
  }
  const context = contextDialect(call, options);
  return candidates.find((fn) => fn.dialect === context) ?? candidates[0];
}

function outputDialect(fn: InitializerFunction, call: CallSyntax): InitDialect {
  if (fn.dialect === 'initlens') return 'plain';
  // A bare snake_case word (`he_normal`, typed on a command line) belongs to no library's syntax.
  const bare = !call.quoted && call.args === undefined && call.path.length === 1 && !call.assignment;
  if (fn.dialect === 'keras' && bare && /^[a-z0-9_]+$/.test(call.path[0])) return 'plain';
  return fn.dialect;
}

/** `keras.initializers.get('he_normal')`: Keras' own lookup by name, read as the name. */
function unwrapGet(call: CallSyntax): string | undefined {
  if (call.path.length < 2 || call.path[call.path.length - 1] !== 'get' || call.args?.length !== 1) return undefined;
  const value = readValue(call.args[0]);
  return value.type === 'string' ? value.value : undefined;
}

function parseCall(text: string, options: ParseOptions): Omit<ParsedInitializer, 'written'> {
  const call = readCall(text);
  const inner = unwrapGet(call);
  if (inner !== undefined) return parseCall(`'${inner.replace(/['\\]/g, '')}'`, { dialect: 'keras' });
  const fn = resolve(call, options);
  const label = call.path[call.path.length - 1];
  const args = bindArguments(label, fn.params, fn.style, call.args);
  const { spec, notes } = fn.build(args);
  const parsed: Omit<ParsedInitializer, 'written'> = { spec, canonical: formatSpec(spec), dialect: outputDialect(fn, call) };
  return notes && notes.length > 0 ? { ...parsed, notes } : parsed;
}

/**
 * Parses a written initializer. Throws InitializerParseError (and only that) with a one-line
 * message naming the problem and, where it can, close matches: `unknown initializer 'he_norml'
 * — did you mean he_normal, HeNormal, heNormal?`.
 */
export function parseInitializer(text: string, options: ParseOptions = {}): ParsedInitializer {
  if (typeof text !== 'string' || text.trim() === '') throw new InitializerParseError('syntax', 'no initializer given');
  if (text.length > MAX_LENGTH) throw new InitializerParseError('syntax', `initializer text longer than ${MAX_LENGTH} characters`);
  try {
    return { ...parseCall(text, options), written: text };
  } catch (err) {
    if (err instanceof InitializerParseError) throw err;
    // A bug, not a user error; still one error type for callers, with the cause kept.
    const reason = firstLine(err);
    const wrapped = new InitializerParseError('syntax', `could not read ${quoteText(text)}: ${reason}`);
    wrapped.cause = err;
    throw wrapped;
  }
}
