/**
 * The first pass: every written initializer (site) — the values of `…_initializer=` keywords and
 * `…Initializer:` properties, and calls that name an initializer themselves — each parsed once.
 * Kernel links (kernelLinks.ts) add the sites variables and callers' arguments lead to.
 */
import type { SyntaxNode } from '../syntaxTree';
import type { InitializerSite } from '../sourceModel';
import { knownInitializerNames, parseInitializer } from '../../probe/initializers/parse';
import type { ParsedInitializer } from '../../probe/initializers/spec';
import { configSeed } from './args';
import { INITIALIZER_KEY } from './state';
import type { ScanState } from './state';

const KNOWN = new Set(knownInitializerNames());
/** Bare lower-case names too common to be initializers without a module prefix (np.zeros…). */
const DISTINCT_TORCH = new Set(['kaiming_normal_', 'kaiming_uniform_', 'xavier_normal_', 'xavier_uniform_', 'trunc_normal_', 'orthogonal_']);
/** Bare class names that other libraries use for other things (nn.Identity, sympy Constant…). */
const AMBIGUOUS_CLASSES = new Set(['Identity', 'Constant']);
const NOT_INITIALIZERS = new Set(['calculate_gain']);

/**
 * Parses by text across scans: a file holds the same few initializers many times, and every
 * keystroke rescans it. Results are shared, so nothing downstream may mutate a ParsedInitializer.
 */
const PARSED = new Map<string, { parsed?: ParsedInitializer; error?: string }>();
const MAX_PARSED = 2000;

/** One-line call text: no space after an opener or a dot, none before a closer, comma or colon. */
const TIGHT_AFTER = new Set(['(', '[', '{', '.']);
const TIGHT_BEFORE = new Set([')', ']', '}', ',', '.', ':']);

/** Whether a call names an initializer by itself (not as a keyword's value). */
export function isInitializerCallPath(path: readonly string[]): boolean {
  const name = path[path.length - 1];
  if (NOT_INITIALIZERS.has(name)) return false;
  const parent = path[path.length - 2];
  if (parent === 'initializers' || parent === 'init') return true;
  if (path.length > 1) return false;
  if (!KNOWN.has(name)) return false;
  if (DISTINCT_TORCH.has(name)) return true;
  return /^[A-Z]/.test(name) && !AMBIGUOUS_CLASSES.has(name) && name !== 'LSUV';
}

export function readInitializerSites(s: ScanState): void {
  for (const arg of s.keyed) {
    if (arg.key === undefined || !INITIALIZER_KEY.test(arg.key)) continue;
    const v = arg.value;
    if (v.type === 'string' || v.type === 'call' || isInitializerName(s, v)) siteFor(s, v, roleOfKey(arg.key), arg.key);
  }
  for (const call of s.calls) {
    if (isInitializerCallPath(call.path)) siteFor(s, call, 'other');
  }
}

function tokenText(s: ScanState, first: number, last: number): string {
  const tokens = s.stream.tokens;
  let out = '';
  for (let k = first; k <= last; k++) {
    const t = tokens[k];
    out += t.text;
    const next = tokens[k + 1];
    if (k < last && next.start > t.end) {
      const tight = TIGHT_AFTER.has(t.text) || TIGHT_BEFORE.has(next.text);
      if (!tight) out += ' ';
    }
  }
  return out;
}

function parse(s: ScanState, text: string): { parsed?: ParsedInitializer; error?: string } {
  const dialect = s.python ? 'keras' : 'tfjs';
  const key = `${dialect}\0${text}`;
  const hit = PARSED.get(key);
  if (hit) return hit;
  let result: { parsed?: ParsedInitializer; error?: string };
  try {
    result = { parsed: parseInitializer(text, { dialect }) };
  } catch (err) {
    result = { error: err instanceof Error ? err.message : String(err) };
  }
  if (PARSED.size >= MAX_PARSED) PARSED.delete(PARSED.keys().next().value as string);
  PARSED.set(key, result);
  return result;
}

/** The site for a node (created once per node), or undefined when the node can't be one. */
export function siteFor(s: ScanState, node: SyntaxNode, role: InitializerSite['role'], key?: string): number | undefined {
  const existing = s.siteByStart.get(node.start);
  if (existing !== undefined) {
    const site = s.sites[existing];
    if (role !== 'other' && site.role === 'other') site.role = role;
    if (key && !site.key) site.key = key;
    return existing;
  }
  let site: Omit<InitializerSite, 'id' | 'layers'>;
  if (node.type === 'string') {
    if (node.value === undefined || !/^\s*[A-Za-z_][\w.]*\s*$/.test(node.value)) return undefined;
    site = {
      start: node.start,
      end: node.end,
      written: s.text.slice(node.start, node.end),
      text: node.value.trim(),
      style: s.python ? 'keras-string' : 'tfjs-string',
      quote: node.quote,
      prefix: '',
      role,
      key,
    };
  } else if (node.type === 'call' || node.type === 'name') {
    const text = tokenText(s, node.first, node.type === 'call' && node.close !== -1 ? node.close : node.last);
    const prefix = node.path.slice(0, -1).join('.');
    site = {
      start: node.start,
      end: node.type === 'call' && node.close !== -1 ? s.stream.tokens[node.close].end : node.end,
      written: '',
      text,
      style: 'keras-call',
      prefix: prefix ? `${prefix}.` : '',
      role,
      key,
    };
    site.written = s.text.slice(site.start, site.end);
    if (node.type === 'call') {
      const seed = node.args.find((a) => a.key === 'seed') ?? configSeed(node);
      if (seed) site.seedText = s.text.slice(seed.value.start, seed.value.end);
      const first = node.args[0];
      if (first && first.key === undefined && !first.spread && first.value.type !== 'object') site.tensor = s.text.slice(first.value.start, first.value.end);
    }
  } else {
    return undefined;
  }
  const { parsed, error } = parse(s, site.text);
  if (site.style === 'keras-call' && parsed) {
    site.style = parsed.dialect === 'tfjs' ? 'tfjs-call' : parsed.dialect === 'pytorch' ? 'torch-call' : 'keras-call';
  } else if (site.style === 'keras-call' && /(^|\.)init\.$/.test(site.prefix)) {
    site.style = 'torch-call';
  } else if (site.style === 'keras-call' && !s.python) {
    site.style = 'tfjs-call';
  }
  if (site.style !== 'torch-call') delete site.tensor;
  if (site.style === 'torch-call' && site.tensor !== undefined && role === 'other') {
    const tensor = site.tensor.replace(/\.data$/, '');
    site.role = /\.weight$/.test(tensor) ? 'kernel' : /\.bias$/.test(tensor) ? 'bias' : 'other';
  }
  const id = s.sites.length;
  s.sites.push({ ...site, ...(parsed ? { parsed } : {}), ...(error ? { error } : {}), id, layers: [] });
  s.siteByStart.set(node.start, id);
  return id;
}

function roleOfKey(key: string): InitializerSite['role'] {
  return /^kernel/i.test(key) ? 'kernel' : /^bias/i.test(key) ? 'bias' : 'other';
}

/** A bare name in an initializer argument that is an initializer itself (`HeNormal`), not a variable. */
export function isInitializerName(s: ScanState, node: SyntaxNode): boolean {
  if (node.type !== 'name') return false;
  const name = node.path[node.path.length - 1];
  if (!KNOWN.has(name)) return false;
  if (s.scopes.assignmentBefore(node.path.join('.'), node.start)) return false;
  const scope = s.scopes.enclosingFunction(node.start);
  if (scope?.params.includes(node.path[0])) return false;
  return node.path.length > 1 ? isInitializerCallPath(node.path) : /^[A-Z]/.test(name);
}
