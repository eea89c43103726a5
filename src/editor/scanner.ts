/**
 * The scanner: document text → every written initializer (site), every layer with the fans and
 * activation the surrounding code implies, and every Sequential model. Pure and total: any text,
 * however broken, gives a model (possibly empty), never an exception.
 */
import { tokenize } from './lexer';
import type { SourceLanguage, TokenStream } from './lexer';
import { SyntaxReader, sequenceItems } from './syntaxTree';
import type { Arg, CallNode, SyntaxNode } from './syntaxTree';
import { RELU_FAMILY, containerKind, layerKind, normalizeActivation, torchActivationFunction } from './layerKinds';
import { Scopes, product } from './scopes';
import type { Assignment } from './scopes';
import type { Fans, InitializerSite, LayerDef, ModelDef, SourceModel } from './sourceModel';
import { knownInitializerNames, parseInitializer } from '../probe/initializers/parse';
import { ACTIVATIONS } from '../probe/initializers/spec';
import type { ParsedInitializer } from '../probe/initializers/spec';
import { firstLine } from '../protocol/parse';


const KNOWN = new Set(knownInitializerNames());
const INITIALIZER_KEY = /initializer$/i;
/** Bare lower-case names too common to be initializers without a module prefix (np.zeros…). */
const DISTINCT_TORCH = new Set(['kaiming_normal_', 'kaiming_uniform_', 'xavier_normal_', 'xavier_uniform_', 'trunc_normal_', 'orthogonal_']);
/** Bare class names that other libraries use for other things (nn.Identity, sympy Constant…). */
const AMBIGUOUS_CLASSES = new Set(['Identity', 'Constant']);
const NOT_INITIALIZERS = new Set(['calculate_gain']);

const KNOWN_ACTIVATION_NAMES = new Set([...ACTIVATIONS, 'softmax', 'swish', 'silu', 'softplus', 'softsign', 'relu6', 'hard_sigmoid', 'mish', 'exponential']);

/**
 * Parses by text across scans: a file holds the same few initializers many times, and every
 * keystroke rescans it. Results are shared, so nothing downstream may mutate a ParsedInitializer.
 */
const PARSED = new Map<string, { parsed?: ParsedInitializer; error?: string }>();
const MAX_PARSED = 2000;

/** One-line call text: no space after an opener or a dot, none before a closer, comma or colon. */
const TIGHT_AFTER = new Set(['(', '[', '{', '.']);
const TIGHT_BEFORE = new Set([')', ']', '}', ',', '.', ':']);

const KERAS_DEFAULT_KERNEL = 'glorot_uniform';
const TFJS_DEFAULT_KERNEL = 'glorotNormal';
/** nn.Linear's own reset_parameters(): kaiming_uniform_ with a = √5, i.e. U(±1/√fan_in). */
const TORCH_DEFAULT_KERNEL = 'nn.init.kaiming_uniform_(w, a=math.sqrt(5))';

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

/** The argument at `position` or named `key` (position -1: keyword only). Runs for every layer: no allocation. */
function argOf(call: CallNode, position: number, key: string): SyntaxNode | undefined {
  const args = call.args;
  for (let i = 0; i < args.length; i++) if (args[i].key === key) return args[i].value;
  if (position < 0 || position >= args.length) return undefined;
  for (let i = 0; i <= position; i++) {
    // Positional arguments end at the first keyword; past a *spread their positions are unknown.
    if (args[i].key !== undefined || args[i].spread) return undefined;
  }
  return args[position].value;
}

/** The entries of a tfjs config object `{units: 128, …}` passed as the first argument. */
function configEntries(call: CallNode): Map<string, SyntaxNode> {
  const first = call.args[0]?.value;
  const map = new Map<string, SyntaxNode>();
  if (first && first.type === 'object') {
    for (const item of first.items) if (item.key !== undefined) map.set(item.key, item.value);
  }
  return map;
}

class Scanner {
  private readonly stream: TokenStream;
  private readonly reader: SyntaxReader;
  private readonly python: boolean;
  private readonly calls: CallNode[];
  private readonly scopes: Scopes;
  private readonly keyed: Arg[] = [];
  readonly sites: InitializerSite[] = [];
  private readonly siteByStart = new Map<number, number>();
  readonly layers: LayerDef[] = [];
  private readonly layerByCall = new Map<CallNode, number>();
  readonly models: ModelDef[] = [];

  constructor(
    private readonly text: string,
    readonly language: SourceLanguage,
  ) {
    this.python = language === 'python';
    this.stream = tokenize(text, language);
    this.reader = new SyntaxReader(this.stream, this.python);
    this.calls = this.reader.calls();
    this.scopes = new Scopes(text, language, this.stream, this.reader);
    this.collectKeyed();
  }

  get lineStarts(): number[] {
    return this.stream.lineStarts;
  }

  /**
   * Every `…_initializer=` keyword and `…Initializer:` property, found from the tokens (reading
   * every call's arguments to find them would cost more than the rest of the scan).
   */
  private collectKeyed(): void {
    const { tokens, parent, partner } = this.stream;
    for (let k = 1; k + 2 < tokens.length; k++) {
      const t = tokens[k];
      const key = t.kind === 'name' ? t.text : t.kind === 'string' ? t.value : undefined;
      if (key === undefined || key.length < 11 || (key.charCodeAt(key.length - 1) | 32) !== 114 || !INITIALIZER_KEY.test(key)) continue;
      const p = parent[k];
      if (p === -1 || !(p === k - 1 || tokens[k - 1].text === ',')) continue;
      const opener = tokens[p].text;
      const op = tokens[k + 1].text;
      if (!((opener === '(' && this.python && op === '=' && t.kind === 'name') || (opener === '{' && op === ':'))) continue;
      const close = partner[p] > p ? partner[p] : tokens.length;
      let end = k + 2;
      while (end < close && !(parent[end] === p && tokens[end].text === ',')) end++;
      if (end - 1 < k + 2) continue;
      this.keyed.push({ key, value: this.reader.expr(k + 2, end - 1), spread: false, start: t.start, end: tokens[end - 1].end });
    }
  }

  run(): void {
    this.readInitializerSites();
    this.readLayers();
    this.readContainers();
    this.resolveKernels();
    this.linkDense();
  }

  // ---------------------------------------------------------------- initializer sites

  private tokenText(first: number, last: number): string {
    const tokens = this.stream.tokens;
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

  private parse(text: string): { parsed?: ParsedInitializer; error?: string } {
    const dialect = this.python ? 'keras' : 'tfjs';
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
  private siteFor(node: SyntaxNode, role: InitializerSite['role'], key?: string): number | undefined {
    const existing = this.siteByStart.get(node.start);
    if (existing !== undefined) {
      const site = this.sites[existing];
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
        written: this.text.slice(node.start, node.end),
        text: node.value.trim(),
        style: this.python ? 'keras-string' : 'tfjs-string',
        quote: node.quote,
        prefix: '',
        role,
        key,
      };
    } else if (node.type === 'call' || node.type === 'name') {
      const text = this.tokenText(node.first, node.type === 'call' && node.close !== -1 ? node.close : node.last);
      const prefix = node.path.slice(0, -1).join('.');
      site = {
        start: node.start,
        end: node.type === 'call' && node.close !== -1 ? this.stream.tokens[node.close].end : node.end,
        written: '',
        text,
        style: 'keras-call',
        prefix: prefix ? `${prefix}.` : '',
        role,
        key,
      };
      site.written = this.text.slice(site.start, site.end);
      if (node.type === 'call') {
        const seed = node.args.find((a) => a.key === 'seed') ?? configSeed(node);
        if (seed) site.seedText = this.text.slice(seed.value.start, seed.value.end);
        const first = node.args[0];
        if (first && first.key === undefined && !first.spread && first.value.type !== 'object') site.tensor = this.text.slice(first.value.start, first.value.end);
      }
    } else {
      return undefined;
    }
    const { parsed, error } = this.parse(site.text);
    if (site.style === 'keras-call' && parsed) {
      site.style = parsed.dialect === 'tfjs' ? 'tfjs-call' : parsed.dialect === 'pytorch' ? 'torch-call' : 'keras-call';
    } else if (site.style === 'keras-call' && /(^|\.)init\.$/.test(site.prefix)) {
      site.style = 'torch-call';
    } else if (site.style === 'keras-call' && !this.python) {
      site.style = 'tfjs-call';
    }
    if (site.style !== 'torch-call') delete site.tensor;
    if (site.style === 'torch-call' && site.tensor !== undefined && role === 'other') {
      const tensor = site.tensor.replace(/\.data$/, '');
      site.role = /\.weight$/.test(tensor) ? 'kernel' : /\.bias$/.test(tensor) ? 'bias' : 'other';
    }
    const id = this.sites.length;
    this.sites.push({ ...site, ...(parsed ? { parsed } : {}), ...(error ? { error } : {}), id, layers: [] });
    this.siteByStart.set(node.start, id);
    return id;
  }

  private roleOfKey(key: string): InitializerSite['role'] {
    return /^kernel/i.test(key) ? 'kernel' : /^bias/i.test(key) ? 'bias' : 'other';
  }

  /** A bare name in an initializer argument that is an initializer itself (`HeNormal`), not a variable. */
  private isInitializerName(node: SyntaxNode): boolean {
    if (node.type !== 'name') return false;
    const name = node.path[node.path.length - 1];
    if (!KNOWN.has(name)) return false;
    if (this.scopes.assignmentBefore(node.path.join('.'), node.start)) return false;
    const scope = this.scopes.enclosingFunction(node.start);
    if (scope?.params.includes(node.path[0])) return false;
    return node.path.length > 1 ? isInitializerCallPath(node.path) : /^[A-Z]/.test(name);
  }

  private readInitializerSites(): void {
    for (const arg of this.keyed) {
      if (arg.key === undefined || !INITIALIZER_KEY.test(arg.key)) continue;
      const v = arg.value;
      if (v.type === 'string' || v.type === 'call' || this.isInitializerName(v)) this.siteFor(v, this.roleOfKey(arg.key), arg.key);
    }
    for (const call of this.calls) {
      if (isInitializerCallPath(call.path)) this.siteFor(call, 'other');
    }
  }

  // ---------------------------------------------------------------- layers

  private layerFor(call: CallNode, inList: boolean): number | undefined {
    const known = this.layerByCall.get(call);
    if (known !== undefined) return known;
    const kind = layerKind(call.path, this.python, inList);
    if (!kind) return undefined;
    const type = call.path[call.path.length - 1];
    const tokens = this.stream.tokens;
    const end = call.close !== -1 ? tokens[call.close].end : call.end;
    const layer: LayerDef = {
      id: this.layers.length,
      framework: kind.framework,
      type,
      role: kind.role,
      start: call.start,
      end,
      nameStart: call.nameStart,
      nameEnd: call.nameEnd,
      activationFrom: 'unknown',
      kernel: { kind: 'default', text: '' },
      fans: [],
      nextDense: [],
      isOutput: false,
      reluRun: 0,
      inContainer: false,
    };
    if (kind.activation) {
      layer.activation = kind.activation;
      layer.activationFrom = 'argument';
    }
    if (kind.framework === 'tfjs') this.readTfjsLayer(call, layer);
    else if (kind.framework === 'keras') this.readKerasLayer(call, layer);
    else this.readTorchLayer(call, layer);
    this.layers.push(layer);
    this.layerByCall.set(call, layer.id);
    return layer.id;
  }

  private readActivation(node: SyntaxNode | undefined, layer: LayerDef): void {
    if (!node) {
      if (layer.role === 'dense') {
        layer.activation = 'linear';
        layer.activationFrom = 'default';
      }
      return;
    }
    const v = this.scopes.resolve(node);
    if (v.type === 'string' && v.value !== undefined) layer.activation = normalizeActivation(v.value);
    else if (v.type === 'name') {
      // A bare name is a variable unless it is an activation function imported by name (relu).
      const bare = normalizeActivation(v.path[0]);
      layer.activation = v.path.length > 1 || KNOWN_ACTIVATION_NAMES.has(bare) ? normalizeActivation(v.path.join('.')) : undefined;
    }
    else if (v.type === 'call') layer.activation = normalizeActivation(v.path.join('.'));
    if (layer.activation === undefined) {
      layer.activationText = this.text.slice(node.start, node.end);
      layer.activationFrom = 'unknown';
    } else {
      layer.activationFrom = 'argument';
    }
  }

  private readKernel(node: SyntaxNode | undefined, layer: LayerDef, fallback: string): void {
    if (!node) {
      layer.kernel = { kind: 'default', text: fallback };
      return;
    }
    const site = this.siteByStart.get(node.start);
    if (site !== undefined) {
      layer.kernel = { kind: 'site', site };
      return;
    }
    if (node.type === 'name') {
      layer.kernel = { kind: 'variable', name: node.path.join('.'), sites: [] };
      return;
    }
    layer.kernel = { kind: 'variable', name: this.text.slice(node.start, node.end), sites: [] };
  }

  private insertionPoint(call: CallNode, objectStyle: boolean): LayerDef['insertAt'] {
    const tokens = this.stream.tokens;
    if (call.close === -1) return undefined;
    let closer = call.close;
    if (objectStyle) {
      const obj = call.args[0]?.value;
      if (!obj || obj.type !== 'object' || this.stream.partner[obj.first] !== obj.last) return undefined;
      closer = obj.last;
    }
    const last = tokens[closer - 1];
    const empty = this.stream.partner[closer] === closer - 1;
    // After the last argument; a trailing comma stays trailing.
    if (empty) return { offset: last.end, before: '', after: '', objectStyle };
    if (last.text === ',') return { offset: last.end, before: ' ', after: ',', objectStyle };
    return { offset: last.end, before: ', ', after: '', objectStyle };
  }

  private readKerasLayer(call: CallNode, layer: LayerDef): void {
    const shape =
      this.scopes.shapeOf(argOf(call, -1, 'input_shape')) ??
      this.scopes.shapeOf(argOf(call, -1, 'batch_input_shape'))?.slice(1) ??
      (argOf(call, -1, 'input_dim') ? [this.scopes.numberOf(argOf(call, -1, 'input_dim'))] : undefined);
    if (shape) layer.declaredShape = shape;
    switch (layer.role) {
      case 'dense': {
        const units = argOf(call, 0, 'units');
        layer.units = this.scopes.numberOf(units);
        if (units && layer.units === undefined) layer.unitsText = this.text.slice(units.start, units.end);
        this.readActivation(argOf(call, 1, 'activation'), layer);
        this.readKernel(argOf(call, 3, 'kernel_initializer'), layer, KERAS_DEFAULT_KERNEL);
        layer.insertAt = this.insertionPoint(call, false);
        break;
      }
      case 'input': {
        const s = this.scopes.shapeOf(argOf(call, 0, 'shape')) ?? this.scopes.shapeOf(argOf(call, -1, 'input_shape')) ?? this.scopes.shapeOf(argOf(call, -1, 'batch_shape'))?.slice(1);
        if (s) layer.declaredShape = s;
        break;
      }
      case 'reshape': {
        const s = this.scopes.shapeOf(argOf(call, 0, 'target_shape'));
        if (s) layer.units = product(s);
        break;
      }
      case 'activation':
        if (!layer.activation) this.readActivation(argOf(call, 0, 'activation'), layer);
        break;
      default:
        break;
    }
  }

  private readTfjsLayer(call: CallNode, layer: LayerDef): void {
    const config = configEntries(call);
    const shape = this.scopes.shapeOf(config.get('inputShape')) ?? this.scopes.shapeOf(config.get('batchInputShape'))?.slice(1) ?? (config.has('inputDim') ? [this.scopes.numberOf(config.get('inputDim'))] : undefined);
    if (shape) layer.declaredShape = shape;
    switch (layer.role) {
      case 'dense': {
        const units = config.get('units');
        layer.units = this.scopes.numberOf(units);
        if (units && layer.units === undefined) layer.unitsText = this.text.slice(units.start, units.end);
        this.readActivation(config.get('activation'), layer);
        this.readKernel(config.get('kernelInitializer'), layer, TFJS_DEFAULT_KERNEL);
        layer.insertAt = this.insertionPoint(call, true);
        break;
      }
      case 'input': {
        const s = this.scopes.shapeOf(config.get('shape')) ?? this.scopes.shapeOf(config.get('batchShape'))?.slice(1);
        if (s) layer.declaredShape = s;
        break;
      }
      case 'reshape': {
        const s = this.scopes.shapeOf(config.get('targetShape'));
        if (s) layer.units = product(s);
        break;
      }
      case 'activation':
        if (!layer.activation) this.readActivation(config.get('activation'), layer);
        break;
      default:
        break;
    }
  }

  private readTorchLayer(call: CallNode, layer: LayerDef): void {
    if (layer.role === 'dense') {
      const fanIn = this.scopes.numberOf(argOf(call, 0, 'in_features'));
      const fanOut = this.scopes.numberOf(argOf(call, 1, 'out_features'));
      layer.units = fanOut;
      layer.fans = [{ fanIn, fanOut }];
      layer.kernel = { kind: 'default', text: TORCH_DEFAULT_KERNEL };
      // PyTorch applies activations outside the layer; the forward pass or a Sequential tells.
      layer.activationFrom = 'unknown';
    }
  }

  private readLayers(): void {
    for (const call of this.calls) this.layerFor(call, false);
  }

  // ---------------------------------------------------------------- containers

  private layersOf(items: { node: SyntaxNode; repeat: number }[]): number[] {
    const ids: number[] = [];
    for (const item of items) {
      if (item.node.type !== 'call') continue;
      const id = this.layerFor(item.node, true);
      if (id === undefined) continue;
      for (let r = 0; r < item.repeat; r++) ids.push(id);
    }
    return ids;
  }

  private readContainers(): void {
    const torchVars = new Map<string, number>();
    const torchActs = new Map<string, string>();
    const torchSequences: number[][] = [];
    const adds = new Map<string, CallNode[]>();
    for (const call of this.calls) {
      if (call.path.length < 2 || call.path[call.path.length - 1] !== 'add') continue;
      const target = call.path.slice(0, -1).join('.');
      const list = adds.get(target);
      if (list) list.push(call);
      else adds.set(target, [call]);
    }
    for (const call of this.calls) {
      const kind = containerKind(call.path, this.python);
      if (!kind) continue;
      const target = this.scopes.assignedValues.get(call);
      if (kind === 'torch-sequential') {
        const items = call.args.filter((a) => a.key === undefined && !a.spread).map((a) => ({ node: a.value, repeat: 1 }));
        const ids: number[] = [];
        items.forEach((item, index) => {
          if (item.node.type !== 'call') return;
          const id = this.layerFor(item.node, true);
          if (id === undefined) return;
          ids.push(id);
          if (target) {
            torchVars.set(`${target}[${index}]`, id);
            const a = this.scopes.assignmentOf.get(call);
            if (a) this.layers[id].torchInsert = this.torchInsertAfter(a, `${target}[${index}]`, item.node);
          }
        });
        torchSequences.push(ids);
        continue;
      }
      const model: ModelDef = {
        id: this.models.length,
        framework: kind === 'tfjs-sequential' ? 'tfjs' : 'keras',
        start: call.start,
        end: call.close !== -1 ? this.stream.tokens[call.close].end : call.end,
        nameStart: call.nameStart,
        layers: [],
        functionName: this.scopes.enclosingFunction(call.start)?.name,
      };
      if (target) model.variable = target;
      const listNode = kind === 'tfjs-sequential' ? configEntries(call).get('layers') : argOf(call, 0, 'layers');
      if (listNode) {
        const resolved = this.scopes.resolve(listNode);
        const items = sequenceItems(resolved);
        if (items) model.layers = this.layersOf(items);
        else model.problem = `its layers come from ${quote(this.text.slice(listNode.start, listNode.end), 40)}, which InitLens can't read`;
      }
      if (target) {
        const until = (this.scopes.assignmentsTo.get(target) ?? []).find((a) => a.offset > call.start)?.offset ?? Infinity;
        for (const add of adds.get(target) ?? []) {
          if (add.start <= call.start || add.start >= until) continue;
          const arg = add.args[0]?.value;
          if (!arg) continue;
          const id = arg.type === 'call' ? this.layerFor(arg, true) : undefined;
          if (id === undefined) {
            model.problem ??= `model.add(${quote(this.text.slice(arg.start, arg.end), 30)}) is not a layer InitLens can read`;
            continue;
          }
          const repeat = this.scopes.repeatAt(add.start) / this.scopes.repeatAt(call.start);
          for (let r = 0; r < repeat; r++) model.layers.push(id);
        }
      }
      this.models.push(model);
    }

    // Sequential models: shapes flow layer to layer.
    for (const model of this.models) {
      this.flowSequence(model.layers);
      this.denseSequences.push(model.layers.filter((id) => this.layers[id].role === 'dense'));
    }
    for (const ids of torchSequences) this.flowTorch(ids);

    // PyTorch Module classes: Linear layers held in attributes, activations from forward().
    for (const a of this.python ? this.scopes.assignments : []) {
      if (a.value.type !== 'call') continue;
      const id = this.layerByCall.get(a.value);
      if (id === undefined || this.layers[id].framework !== 'torch') continue;
      const layer = this.layers[id];
      torchVars.set(a.target, id);
      if (layer.role === 'dense') layer.torchInsert = this.torchInsertAfter(a, a.target, a.value);
      if (layer.role === 'activation' && layer.activation) torchActs.set(a.target, layer.activation);
    }
    for (const cls of this.scopes.classes) {
      const ids = [...torchVars.entries()]
        .filter(([target, id]) => target.startsWith('self.') && !target.includes('[') && this.layers[id].framework === 'torch' && this.layers[id].role === 'dense' && cls.start < this.layers[id].start && this.layers[id].start < cls.end)
        .map(([, id]) => id)
        .sort((x, y) => this.layers[x].start - this.layers[y].start);
      if (ids.length > 0) this.flowTorch(ids);
    }
    for (const call of this.python && torchVars.size > 0 ? this.calls : []) {
      const act = torchActivationFunction(call.path) ?? (torchActs.size > 0 ? torchActs.get(call.path.join('.')) : undefined);
      if (!act) continue;
      const inner = call.args[0]?.value;
      if (!inner || inner.type !== 'call') continue;
      const id = torchVars.get(inner.path.join('.'));
      if (id === undefined) continue;
      const layer = this.layers[id];
      if (layer.role === 'dense' && layer.activationFrom !== 'layer') {
        layer.activation = act;
        layer.activationFrom = 'forward';
      }
    }
    this.torchVars = torchVars;

    this.flowFunctional();
  }

  private torchVars = new Map<string, number>();

  /** After the statement that creates a layer: same indentation, the layer's own `nn` prefix. */
  private torchInsertAfter(a: Assignment, module: string, layerCall: SyntaxNode): LayerDef['torchInsert'] {
    const lineStart = this.text.lastIndexOf('\n', a.offset) + 1;
    const indent = /^[ \t]*/.exec(this.text.slice(lineStart, a.offset))?.[0] ?? '';
    const newline = this.text.indexOf('\n', a.value.end);
    const offset = newline === -1 ? this.text.length : newline;
    const path = layerCall.type === 'call' ? layerCall.path.slice(0, -1) : [];
    const prefix = path.length > 0 ? `${path.join('.')}.init.` : 'nn.init.';
    return { offset, indent, prefix, module };
  }
  /** Dense layers in the order a signal passes them, per model, container or functional chain. */
  private readonly denseSequences: number[][] = [];
  /** Dense layers whose output a merge layer reads (residual branches). */
  private readonly feedsMerge = new Set<number>();

  /** Keras/tfjs Sequential: fans from the running shape; activation layers fold into the Dense before. */
  private flowSequence(ids: readonly number[]): void {
    let shape: (number | undefined)[] | undefined;
    let prevDense: number | undefined;
    let lastCounted: number | undefined;
    ids.forEach((id, position) => {
      const layer = this.layers[id];
      layer.inContainer = true;
      if (layer.declaredShape && (position === 0 || layer.role === 'input')) shape = layer.declaredShape;
      const result = this.applyLayer(layer, shape, prevDense, lastCounted);
      shape = result.shape;
      prevDense = result.prevDense;
      lastCounted = result.lastCounted;
    });
  }

  /**
   * One layer applied to an input of `shape`: records its fans, links it to the Dense before it,
   * and returns the output shape. `lastCounted` is the last layer that wasn't dropout-like.
   */
  private applyLayer(
    layer: LayerDef,
    shape: (number | undefined)[] | undefined,
    prevDense: number | undefined,
    lastCounted: number | undefined,
  ): { shape: (number | undefined)[] | undefined; prevDense: number | undefined; lastCounted: number | undefined } {
    switch (layer.role) {
      case 'input':
        return { shape: layer.declaredShape, prevDense: undefined, lastCounted: layer.id };
      case 'flatten': {
        const p = shape ? product(shape) : undefined;
        return { shape: p === undefined ? undefined : [p], prevDense, lastCounted: layer.id };
      }
      case 'reshape':
        return { shape: layer.units === undefined ? undefined : [layer.units], prevDense, lastCounted: layer.id };
      case 'dense': {
        const fanIn = shape ? shape[shape.length - 1] : undefined;
        this.addFans(layer, { fanIn, fanOut: layer.units });
        if (prevDense !== undefined && prevDense !== layer.id) layer.prevDense ??= prevDense;
        const out = layer.units === undefined ? undefined : shape ? [...shape.slice(0, -1), layer.units] : [layer.units];
        return { shape: out, prevDense: layer.id, lastCounted: layer.id };
      }
      case 'activation': {
        const before = lastCounted !== undefined ? this.layers[lastCounted] : undefined;
        if (before && before.role === 'dense' && (before.activationFrom === 'default' || before.activation === 'linear') && layer.activation) {
          before.activation = layer.activation;
          before.activationFrom = 'layer';
        }
        return { shape, prevDense, lastCounted: layer.id };
      }
      case 'preserve':
        return { shape, prevDense, lastCounted };
      case 'other':
        return { shape: undefined, prevDense: undefined, lastCounted: layer.id };
    }
  }

  private addFans(layer: LayerDef, fans: Fans): void {
    if (!layer.fans.some((f) => f.fanIn === fans.fanIn && f.fanOut === fans.fanOut)) layer.fans.push(fans);
  }

  private flowTorch(ids: readonly number[]): void {
    this.denseSequences.push(ids.filter((id) => this.layers[id].role === 'dense'));
    let prevDense: number | undefined;
    let lastCounted: number | undefined;
    for (const id of ids) {
      const layer = this.layers[id];
      layer.inContainer = true;
      if (layer.role === 'dense') {
        if (prevDense !== undefined) layer.prevDense ??= prevDense;
        prevDense = id;
        lastCounted = id;
      } else if (layer.role === 'activation') {
        const before = lastCounted !== undefined ? this.layers[lastCounted] : undefined;
        if (before && before.role === 'dense' && layer.activation) {
          before.activation = layer.activation;
          before.activationFrom = 'layer';
        }
        lastCounted = id;
      } else if (layer.role === 'other') {
        prevDense = undefined;
        lastCounted = id;
      }
    }
  }

  /** Functional API: `x = layers.Dense(64)(x)`; shapes travel through variables in document order. */
  private flowFunctional(): void {
    const shapes = new Map<string, (number | undefined)[] | undefined>();
    const producers = new Map<string, { prevDense?: number; lastCounted?: number }>();
    const applied = this.calls.filter((c) => this.layerByCall.has(c));
    for (const call of applied) {
      const id = this.layerByCall.get(call);
      const target = this.scopes.assignedValues.get(call);
      if (id === undefined) continue;
      const layer = this.layers[id];
      if (layer.framework === 'torch') continue;
      if (layer.role === 'input' && target && !layer.inContainer) {
        shapes.set(target, layer.declaredShape);
        producers.set(target, {});
        continue;
      }
      if (!call.applied) {
        // A layer outside any model: only what it declares itself.
        if (!layer.inContainer && layer.role === 'dense' && layer.fans.length === 0) {
          this.addFans(layer, { fanIn: layer.declaredShape?.[layer.declaredShape.length - 1], fanOut: layer.units });
        }
        continue;
      }
      const input = call.applied[0]?.value;
      const inputName = input?.type === 'name' ? input.path.join('.') : undefined;
      // A merge (Add()([x, h]), Concatenate()([a, b])) reads every listed tensor: the Dense
      // that produced each one feeds on into the network and is not its output layer.
      if (input && (input.type === 'list' || input.type === 'tuple')) {
        for (const item of input.items) {
          const name = item.value.type === 'name' ? item.value.path.join('.') : undefined;
          const dense = name !== undefined ? producers.get(name)?.prevDense : undefined;
          if (dense !== undefined) this.feedsMerge.add(dense);
        }
      }
      const shape = inputName !== undefined && shapes.has(inputName) ? shapes.get(inputName) : layer.declaredShape;
      const from = inputName !== undefined ? producers.get(inputName) : undefined;
      if (inputName !== undefined && shapes.has(inputName)) layer.inContainer = true;
      const result = this.applyLayer(layer, shape, from?.prevDense, from?.lastCounted);
      if (target) {
        shapes.set(target, result.shape);
        producers.set(target, { prevDense: result.prevDense, lastCounted: result.lastCounted });
      }
    }
  }

  // ---------------------------------------------------------------- kernels and links

  /** Initializer sites a variable can hold at `offset`: an assignment, or callers' arguments. */
  private sitesForVariable(name: string, offset: number, depth = 0): number[] {
    if (depth > 3) return [];
    const scope = this.scopes.enclosingFunction(offset);
    const assigned = this.scopes.assignmentBefore(name, offset);
    const paramIndex = scope ? scope.params.indexOf(name) : -1;
    if (scope && paramIndex !== -1 && !(assigned && assigned.offset > scope.start)) {
      const sites: number[] = [];
      for (const call of this.calls) {
        const last = call.path[call.path.length - 1];
        if (last !== scope.name || call.start === scope.start) continue;
        if (call.start > scope.start && call.start < scope.end && call.path.length === 1) continue; // recursion
        const shift = scope.method && call.path.length > 1 ? 1 : 0;
        const node = argOf(call, paramIndex - shift, name);
        if (!node) continue;
        sites.push(...this.sitesForNode(node, depth + 1));
      }
      return sites;
    }
    if (assigned) return this.sitesForNode(assigned.value, depth + 1);
    return [];
  }

  private sitesForNode(node: SyntaxNode, depth: number): number[] {
    if (node.type === 'name') {
      if (this.isInitializerName(node)) {
        const id = this.siteFor(node, 'kernel');
        return id === undefined ? [] : [id];
      }
      return this.sitesForVariable(node.path.join('.'), node.start, depth);
    }
    if (node.type === 'string' || node.type === 'call') {
      const id = this.siteFor(node, 'kernel');
      return id === undefined ? [] : [id];
    }
    return [];
  }

  private resolveKernels(): void {
    for (const layer of this.layers) {
      if (layer.role !== 'dense') continue;
      const k = layer.kernel;
      if (k.kind === 'site') {
        this.sites[k.site].layers.push(layer.id);
      } else if (k.kind === 'variable') {
        k.sites = [...new Set(this.sitesForVariable(k.name, layer.start))];
        for (const s of k.sites) {
          const site = this.sites[s];
          if (site.role !== 'bias') site.role = 'kernel';
          if (!site.layers.includes(layer.id)) site.layers.push(layer.id);
        }
      }
    }
    // PyTorch: nn.init.x_(self.fc1.weight) sets fc1's kernel; the last such call wins.
    for (const site of this.sites) {
      if (site.style !== 'torch-call' || site.tensor === undefined) continue;
      const tensor = site.tensor.replace(/\s+/g, '').replace(/\.data$/, '');
      const m = /^(.*)\.weight$/.exec(tensor);
      if (!m) continue;
      const id = this.torchVars.get(m[1]);
      if (id === undefined || this.layers[id].role !== 'dense') continue;
      this.layers[id].kernel = { kind: 'site', site: site.id };
      site.role = 'kernel';
      if (!site.layers.includes(id)) site.layers.push(id);
    }
  }

  private linkDense(): void {
    for (const layer of this.layers) {
      if (layer.prevDense !== undefined && layer.prevDense !== layer.id) {
        const prev = this.layers[layer.prevDense];
        if (!prev.nextDense.includes(layer.id)) prev.nextDense.push(layer.id);
      }
    }
    for (const layer of this.layers) {
      if (layer.role !== 'dense') continue;
      const lastInChain = layer.nextDense.length === 0 && layer.inContainer && !this.feedsMerge.has(layer.id);
      layer.isOutput = layer.activation === 'softmax' || (lastInChain && layer.prevDense !== undefined && layer.prevDense !== layer.id);
    }
    for (const model of this.models) {
      const dense = model.layers.filter((id) => this.layers[id].role === 'dense');
      const last = dense[dense.length - 1];
      if (last !== undefined && dense.filter((id) => id === last).length === 1) this.layers[last].isOutput = true;
    }
    // Functional chains: from each Dense nothing follows, back along prevDense.
    const sequenced = new Set(this.denseSequences.flat());
    for (const layer of this.layers) {
      if (layer.role !== 'dense' || layer.framework === 'torch' || layer.nextDense.length > 0 || layer.prevDense === undefined) continue;
      if (sequenced.has(layer.id)) continue;
      const chain: number[] = [];
      const seen = new Set<number>();
      for (let id: number | undefined = layer.id; id !== undefined && !seen.has(id); id = this.layers[id].prevDense) {
        seen.add(id);
        chain.unshift(id);
      }
      this.denseSequences.push(chain);
    }
    for (const seq of this.denseSequences) {
      let runStart = 0;
      for (let i = 0; i <= seq.length; i++) {
        const layer = i < seq.length ? this.layers[seq[i]] : undefined;
        const inRun = layer !== undefined && !layer.isOutput && layer.activation !== undefined && RELU_FAMILY.includes(layer.activation);
        if (inRun) continue;
        const length = i - runStart;
        for (let j = runStart; j < i; j++) this.layers[seq[j]].reluRun = Math.max(this.layers[seq[j]].reluRun, length);
        runStart = i + 1;
      }
    }
  }
}

function configSeed(call: CallNode): Arg | undefined {
  const first = call.args[0]?.value;
  if (!first || first.type !== 'object') return undefined;
  return first.items.find((i) => i.key === 'seed');
}

function quote(text: string, max: number): string {
  const oneLine = text.replace(/\s+/g, ' ').trim();
  return `'${oneLine.length > max ? `${oneLine.slice(0, max - 1)}…` : oneLine}'`;
}

/** Scans a document's text. Total: never throws, whatever the text. */
export function scanSource(text: string, language: SourceLanguage): SourceModel {
  let scanner: Scanner | undefined;
  try {
    scanner = new Scanner(text, language);
    scanner.run();
  } catch (err) {
    // A scanner bug must not take hovers down with it: keep whatever was read so far, and say why.
    const scanError = firstLine(err);
    if (!scanner) return { language, lineStarts: [0], sites: [], layers: [], models: [], scanError };
    return { language, lineStarts: scanner.lineStarts, sites: scanner.sites, layers: scanner.layers, models: scanner.models, scanError };
  }
  return { language, lineStarts: scanner.lineStarts, sites: scanner.sites, layers: scanner.layers, models: scanner.models };
}
