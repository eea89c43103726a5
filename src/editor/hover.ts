/**
 * The hover on a written initializer, as markdown: what it is, its formula and parameters, what
 * it does to the layer it initializes (fans, std or limit, gain), whether it suits that layer's
 * activation, the note that explains it, and links to probe it. A pure function of the scanned
 * document and a position; the provider only wraps it in a MarkdownString.
 */
import type { InitializerSite, LayerDef, SourceModel } from './sourceModel';
import { scanSource } from './scanner';
import type { SourceLanguage } from './lexer';
import { layerLabel, lineNumber } from './labels';
import { formatNumber as fmt } from '../view/number';
import { familyEntry, formulaFor, parametersOf, scaleText, suitedActivations } from './describe';
import { isProbeActivation } from './layerKinds';
import { requestText } from './requestText';
import type { InitializerCommandArgs } from './initializerRequests';
import { predictedGain, recommendedId, stackFixedPoint, suitsActivation } from '../probe/initializers/theory';
import type { InitSpec } from '../probe/initializers/spec';
import { loadNote } from '../notes';
import { sourceGraphs } from './modelGraph';
import { planLayers } from '../probe/graph/shapes';

export interface NoteSummary {
  title: string;
  summary: string;
}

export interface HoverOptions {
  /** Looks a note up by id; defaults to the notes under media/notes. */
  note?: (id: string) => NoteSummary | undefined;
  /** The file's name, for titles of the runs a link starts (`keras_models.py`). */
  fileName?: string;
  /** The document's text: a convolution's fans come from its model's layer graph (read only for initializers outside Dense layers). */
  text?: () => string;
}

/** A convolution's kernel as its model's layer graph builds it (Keras' fans: receptive field × channels). */
export interface ConvolutionFans {
  name: string;
  line: number;
  kernelSize: [number, number];
  inChannels: number;
  filters: number;
  fanIn: number;
  fanOut: number;
  activation: string;
}

/**
 * The convolution a kernel initializer belongs to — the Conv2D call holding it, or the
 * `self.conv.weight` an nn.init call names — with the fans the probe's planner gives it.
 */
export function convolutionFor(text: string, model: SourceModel, site: InitializerSite, call: LayerDef | undefined): ConvolutionFans | undefined {
  const line = call ? lineNumber(model, call.start) : undefined;
  const module = /^self\.(\w+)\.weight$/.exec(site.tensor ?? '')?.[1];
  if (line === undefined && module === undefined) return undefined;
  for (const g of sourceGraphs(text, model.language, model)) {
    if (!g.graph) continue;
    const spec = g.graph.layers.find((l) => l.kind === 'conv2d' && (line !== undefined ? l.line === line : l.name === module));
    if (!spec || spec.kind !== 'conv2d') continue;
    let planned;
    try {
      planned = planLayers(g.graph).find((l) => l.spec === spec);
    } catch {
      return undefined;
    }
    if (!planned || planned.fanIn === undefined || planned.fanOut === undefined) return undefined;
    const next = g.graph.layers[g.graph.layers.indexOf(spec) + 1];
    const activation = spec.activation !== 'linear' ? spec.activation : next?.kind === 'activation' && (next.inputs ?? [spec.name]).includes(spec.name) ? next.activation : (call?.activation ?? 'linear');
    return { name: spec.name, line: spec.line ?? 0, kernelSize: spec.kernelSize, inChannels: planned.inShapes[0][planned.inShapes[0].length - 1], filters: spec.filters, fanIn: planned.fanIn, fanOut: planned.fanOut, activation };
  }
  return undefined;
}

/** The hover's lines for a convolution's kernel: its receptive-field fans, the std they give, the gain and the verdict. */
function convolutionLines(spec: InitSpec, conv: ConvolutionFans, type: string): string[] {
  const [kh, kw] = conv.kernelSize;
  const label = `${type}(${conv.filters}, ${kh}×${kw}${conv.activation !== 'linear' ? `, ${conv.activation}` : ''})`;
  const { main, detail } = scaleText(spec, conv.fanIn, conv.fanOut);
  let fans = `receptive field ${kh}×${kw} · fan_in ${conv.fanIn} = ${kh}·${kw}·${conv.inChannels} input channels · fan_out ${conv.fanOut} = ${kh}·${kw}·${conv.filters} filters → **${main}**${detail ? ` ${detail}` : ''}`;
  const act = conv.activation;
  if (isProbeActivation(act)) fans += ` · gain ${fmt(predictedGain(spec, act, conv.fanIn, conv.fanOut))} per layer`;
  const lines = [`**${escape(label)}** · line ${conv.line} · ${code(conv.name)}`, fans];
  if (isProbeActivation(act)) {
    lines.push(suitsActivation(spec, act, { fanIn: conv.fanIn, fanOut: conv.fanOut }) ? `$(pass) suits this layer's ${act}` : `$(warning) not for this layer's ${act}: InitLens recommends ${code(recommendedId(act))}`);
  }
  return lines;
}

export interface HoverText {
  markdown: string;
  /** Offsets of the initializer the hover is about. */
  start: number;
  end: number;
}

/** The only commands a hover may run (MarkdownString.isTrusted.enabledCommands). */
export const HOVER_COMMANDS = ['initlens.probeWithInitializer', 'initlens.compareAlternatives', 'initlens.openNote'] as const;

const MAX_LAYERS_SHOWN = 3;

export function commandUri(command: (typeof HOVER_COMMANDS)[number], args: unknown): string {
  // Parentheses and quotes too: a markdown link target must not close early.
  const query = encodeURIComponent(JSON.stringify([args])).replace(/[()'!*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
  return `command:${command}?${query}`;
}

/** Markdown-safe inline code (backticks inside get a longer fence). */
function code(text: string): string {
  const oneLine = text.replace(/\s+/g, ' ').trim();
  const fence = oneLine.includes('`') ? '``' : '`';
  return `${fence}${oneLine.includes('`') ? ` ${oneLine} ` : oneLine}${fence}`;
}

function escape(text: string): string {
  return text.replace(/[\\`*_{}[\]()#+\-.!|<>]/g, '\\$&');
}

/** The innermost initializer site at an offset. */
export function siteAt(model: SourceModel, offset: number): InitializerSite | undefined {
  let best: InitializerSite | undefined;
  for (const site of model.sites) {
    if (site.start <= offset && offset < site.end && (!best || site.end - site.start < best.end - best.start)) best = site;
  }
  return best;
}

function verdict(spec: InitSpec, layer: LayerDef, fanIn: number | undefined, fanOut: number | undefined): string | undefined {
  const act = layer.activation;
  if (layer.isOutput) return `output layer${act ? ` (${act})` : ''}: the loss, not the next layer, reads its scale`;
  if (act === undefined) return undefined;
  if (!isProbeActivation(act)) return `activation ${code(act)}: InitLens has no theory for it`;
  const fans = fanIn !== undefined && fanOut !== undefined ? { fanIn, fanOut } : undefined;
  const from = layer.activationFrom === 'forward' ? ' (from forward())' : layer.activationFrom === 'layer' ? ' (from the activation layer after it)' : '';
  if (suitsActivation(spec, act, fans)) return `$(pass) suits this layer's ${act}${from}`;
  return `$(warning) not for this layer's ${act}${from}: InitLens recommends ${code(recommendedId(act))}`;
}

function layerLines(model: SourceModel, site: InitializerSite, spec: InitSpec): string[] {
  const lines: string[] = [];
  const layers = site.layers.map((id) => model.layers[id]);
  for (const layer of layers.slice(0, MAX_LAYERS_SHOWN)) {
    const fansList = layer.fans.length > 0 ? layer.fans : [{}];
    lines.push(`**${escape(layerLabel(layer))}** · line ${lineNumber(model, layer.start)}${fansList.length > 1 ? ` · used ${fansList.length} ways` : ''}`);
    for (const f of fansList) {
      let line = `fan_in ${f.fanIn ?? 'unknown'} · fan_out ${f.fanOut ?? 'unknown'}`;
      if (f.fanIn !== undefined && f.fanOut !== undefined) {
        const { main, detail } = scaleText(spec, f.fanIn, f.fanOut);
        line += ` → **${main}**${detail ? ` ${detail}` : ''}`;
        if (!layer.isOutput && isProbeActivation(layer.activation)) {
          line += ` · gain ${fmt(predictedGain(spec, layer.activation, f.fanIn, f.fanOut))} per layer`;
          // relu, leaky_relu and linear scale linearly: their gain holds at every variance.
          if (!['relu', 'leaky_relu', 'linear'].includes(layer.activation)) {
            const { qStar, chi1 } = stackFixedPoint(spec, layer.activation, f.fanIn, f.fanOut);
            line += ` at unit variance; a deep stack of such layers settles at q* ${qStar === null ? '∞' : fmt(qStar)} with backward gain ${fmt(chi1)} per layer (mean-field theory)`;
          }
        }
      }
      lines.push(line);
    }
    const fans = layer.fans[0];
    const v = verdict(spec, layer, fans?.fanIn, fans?.fanOut);
    if (v) lines.push(v);
  }
  if (layers.length > MAX_LAYERS_SHOWN) lines.push(`…and ${layers.length - MAX_LAYERS_SHOWN} more layers`);
  return lines;
}

function suitsLine(spec: InitSpec): string {
  const suited = suitedActivations(spec);
  if (suited.length > 0) return `Suits ${suited.join(', ')}`;
  if (spec.kind === 'zeros' || spec.kind === 'ones' || spec.kind === 'constant') return 'Suits no activation: every unit starts identical';
  if (spec.kind === 'identity') return 'Suits no activation by the theory: it copies inputs instead of scaling to the fans';
  return "Suits no activation by itself: its scale ignores the layer's fans";
}

function defaultNote(id: string): NoteSummary | undefined {
  const note = loadNote(id);
  return note ? { title: note.title, summary: note.summary } : undefined;
}

/**
 * The non-Dense layer (Conv2D, LSTM…) whose call holds the site, when no Dense layer uses it: the
 * probe builds Dense stacks only, so its links say they run a dense stand-in, not this layer.
 */
function enclosingOtherLayer(model: SourceModel, site: InitializerSite): LayerDef | undefined {
  if (site.layers.length > 0) return undefined;
  let best: LayerDef | undefined;
  for (const layer of model.layers) {
    if (layer.start <= site.start && site.end <= layer.end && (!best || layer.end - layer.start < best.end - best.start)) best = layer;
  }
  return best && best.role !== 'dense' ? best : undefined;
}

/** The command arguments for the hover's links: the layer's fans and activation ride along. */
function commandArgs(model: SourceModel, site: InitializerSite, text: string, fileName: string | undefined): InitializerCommandArgs {
  const layer = site.layers.length > 0 ? model.layers[site.layers[0]] : undefined;
  const args: InitializerCommandArgs = { initializer: text };
  const source = fileName ? `${fileName}:${lineNumber(model, site.start)}` : undefined;
  if (source) args.source = source;
  const other = enclosingOtherLayer(model, site);
  if (other) args.standInFor = other.type;
  if (layer && site.role === 'kernel') {
    if (layer.activation !== undefined) args.activation = layer.activation;
    const f = layer.fans[0];
    if (f?.fanIn !== undefined) args.fanIn = f.fanIn;
    if (f?.fanOut !== undefined) args.fanOut = f.fanOut;
    if (layer.isOutput) args.isOutput = true;
  }
  return args;
}

export function hoverForSite(model: SourceModel, site: InitializerSite, options: HoverOptions = {}): HoverText {
  const range = { start: site.start, end: site.end };
  if (!site.parsed) {
    return { ...range, markdown: `**InitLens** · can't read ${code(site.written)}: ${escape(site.error ?? 'not an initializer')}` };
  }
  const { spec, canonical } = site.parsed;
  const entry = familyEntry(spec);
  const out: string[] = [];
  const reference = entry.reference ? ` · ${escape(entry.reference)}` : '';
  out.push(`**InitLens** · ${code(canonical)}${reference}`);
  out.push('');
  out.push(code(formulaFor(spec)));
  const params = parametersOf(spec);
  if (params.length > 0) out.push(`${escape(params.join(' · '))}`);
  const bias = site.role === 'bias';
  if (!bias) out.push(suitsLine(spec));
  for (const note of site.parsed.notes ?? []) out.push(`$(info) _${escape(note)}_`);

  const other = enclosingOtherLayer(model, site);
  if (bias) {
    out.push('', `Initializes a **bias**: fan scaling and symmetry are about kernels; ${code('zeros')} is the usual bias.`);
  } else if (site.layers.length > 0) {
    out.push('', layerLines(model, site, spec).join('  \n'));
  } else if (options.text !== undefined && (other || site.tensor)) {
    const conv = convolutionFor(options.text(), model, site, other);
    if (conv) out.push('', convolutionLines(spec, conv, other?.type ?? 'nn.Conv2d').join('  \n'));
  }

  const lookup = options.note ?? defaultNote;
  const note = lookup(entry.noteId);
  if (note) {
    out.push('', '---', '', `**${escape(note.title)}** — ${escape(note.summary)} [Open note](${commandUri('initlens.openNote', entry.noteId)})`);
  }
  // A bias probed as a kernel would answer a different question: no links for biases.
  if (bias) return { ...range, markdown: joinBlocks(out) };
  const args = commandArgs(model, site, requestText(site.text, site.parsed), options.fileName);
  if (args.standInFor) {
    out.push('', `$(info) The links below run this initializer in a dense stand-in network (784→hidden layers from settings→10), not this ${escape(args.standInFor)}; **Probe this model** above the model probes the network as written.`);
  }
  out.push(
    '',
    `[$(beaker) ${args.standInFor ? 'Probe it in a dense stand-in' : 'Probe with this initializer'}](${commandUri('initlens.probeWithInitializer', args)}) · [$(graph) Compare with alternatives](${commandUri('initlens.compareAlternatives', args)})`,
  );
  // Markdown paragraphs: a blank line between blocks, two trailing spaces for line breaks.
  return { ...range, markdown: joinBlocks(out) };
}

/** Lines of a block end in a hard break; empty strings separate blocks. */
function joinBlocks(lines: string[]): string {
  const blocks: string[][] = [[]];
  for (const line of lines) {
    if (line === '') blocks.push([]);
    else blocks[blocks.length - 1].push(line);
  }
  return blocks
    .filter((b) => b.length > 0)
    .map((b) => b.join('  \n'))
    .join('\n\n');
}

export function hoverAt(model: SourceModel, offset: number, options: HoverOptions = {}): HoverText | undefined {
  const site = siteAt(model, offset);
  return site ? hoverForSite(model, site, options) : undefined;
}

/** Document text and a position → hover markdown (scans; the provider uses a cached scan instead). */
export function hoverMarkdown(text: string, language: SourceLanguage, offset: number, options: HoverOptions = {}): HoverText | undefined {
  return hoverAt(scanSource(text, language), offset, { text: () => text, ...options });
}
