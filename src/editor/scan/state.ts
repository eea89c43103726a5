/**
 * What the scan passes share: the document read once (tokens, syntax, calls, scopes) and what the
 * passes build in it, in order — initializer sites, layers, models, then the maps fan flow and
 * kernel links read. A plain object: each pass (sites.ts, layers.ts, containers.ts, fanFlow.ts,
 * kernelLinks.ts) is a function of it, and scanner.ts runs them.
 */
import { tokenize } from '../lexer';
import type { SourceLanguage, TokenStream } from '../lexer';
import { SyntaxReader } from '../syntaxTree';
import type { Arg, CallNode } from '../syntaxTree';
import { Scopes } from '../scopes';
import type { InitializerSite, LayerDef, ModelDef } from '../sourceModel';

/** `kernel_initializer`, `biasInitializer`…: keys whose value is an initializer. */
export const INITIALIZER_KEY = /initializer$/i;

export interface ScanState {
  readonly text: string;
  readonly language: SourceLanguage;
  readonly python: boolean;
  readonly stream: TokenStream;
  readonly reader: SyntaxReader;
  readonly calls: CallNode[];
  readonly scopes: Scopes;
  /** Every `…_initializer=` keyword and `…Initializer:` property, found from the tokens. */
  readonly keyed: Arg[];
  readonly sites: InitializerSite[];
  /** A site by the offset of the node it was made from: one site per node. */
  readonly siteByStart: Map<number, number>;
  readonly layers: LayerDef[];
  /** A layer by its call: one layer per call, whether met alone or in a container. */
  readonly layerByCall: Map<CallNode, number>;
  readonly models: ModelDef[];
  /** PyTorch nn.Sequential(…) contents, in the order they are written (containers → fan flow). */
  readonly torchSequences: number[][];
  /** PyTorch layers by the name that holds them (`self.fc1`, `net[0]`): fan flow → kernel links. */
  readonly torchVars: Map<string, number>;
  /** Dense layers in the order a signal passes them, per model, container or functional chain. */
  readonly denseSequences: number[][];
  /** Dense layers whose output a merge layer reads (residual branches). */
  readonly feedsMerge: Set<number>;
}

/** Reads the document (tokens, syntax, scopes, keyed initializer arguments); the passes fill the rest. */
export function createScanState(text: string, language: SourceLanguage): ScanState {
  const python = language === 'python';
  const stream = tokenize(text, language);
  const reader = new SyntaxReader(stream, python);
  const calls = reader.calls();
  const scopes = new Scopes(text, language, stream, reader);
  return {
    text,
    language,
    python,
    stream,
    reader,
    calls,
    scopes,
    keyed: keyedInitializers(stream, reader, python),
    sites: [],
    siteByStart: new Map(),
    layers: [],
    layerByCall: new Map(),
    models: [],
    torchSequences: [],
    torchVars: new Map(),
    denseSequences: [],
    feedsMerge: new Set(),
  };
}

/**
 * Every `…_initializer=` keyword and `…Initializer:` property, found from the tokens (reading
 * every call's arguments to find them would cost more than the rest of the scan).
 */
function keyedInitializers(stream: TokenStream, reader: SyntaxReader, python: boolean): Arg[] {
  const keyed: Arg[] = [];
  const { tokens, parent, partner } = stream;
  for (let k = 1; k + 2 < tokens.length; k++) {
    const t = tokens[k];
    const key = t.kind === 'name' ? t.text : t.kind === 'string' ? t.value : undefined;
    if (key === undefined || key.length < 11 || (key.charCodeAt(key.length - 1) | 32) !== 114 || !INITIALIZER_KEY.test(key)) continue;
    const p = parent[k];
    if (p === -1 || !(p === k - 1 || tokens[k - 1].text === ',')) continue;
    const opener = tokens[p].text;
    const op = tokens[k + 1].text;
    if (!((opener === '(' && python && op === '=' && t.kind === 'name') || (opener === '{' && op === ':'))) continue;
    const close = partner[p] > p ? partner[p] : tokens.length;
    let end = k + 2;
    while (end < close && !(parent[end] === p && tokens[end].text === ',')) end++;
    if (end - 1 < k + 2) continue;
    keyed.push({ key, value: reader.expr(k + 2, end - 1), spread: false, start: t.start, end: tokens[end - 1].end });
  }
  return keyed;
}
