/**
 * What the scanner reads from a document: initializer sites, layers and Sequential models, by
 * offset. Plain data (no VS Code types): the hover, the rules, the CodeLens plans and their
 * tests all read it.
 */
import type { SourceLanguage } from './lexer';
import type { Framework, LayerRole } from './layerKinds';
import type { ParsedInitializer } from '../probe/initializers/spec';

export type SiteStyle = 'keras-string' | 'keras-call' | 'tfjs-string' | 'tfjs-call' | 'torch-call';

export interface InitializerSite {
  id: number;
  /** Offsets of the written expression (a string literal with its quotes, or a whole call). */
  start: number;
  end: number;
  /** The source text, as written. */
  written: string;
  /** What the parser reads: a string's content, or the call on one line without comments. */
  text: string;
  style: SiteStyle;
  /** String sites: the quote character used. */
  quote?: string;
  /** Call sites: the callee up to its last dot (`initializers.`, `nn.init.`), kept by quick fixes. */
  prefix: string;
  /** Call sites: a `seed` argument as written, kept by quick fixes. */
  seedText?: string;
  /** PyTorch: the tensor argument (`self.fc1.weight`). */
  tensor?: string;
  role: 'kernel' | 'bias' | 'other';
  /** `kernel_initializer` / `kernelInitializer` when the site is such an argument's value. */
  key?: string;
  parsed?: ParsedInitializer;
  /** One-line reason when the parser refuses it. */
  error?: string;
  /** Layers whose kernel this site initializes (directly, via a variable or a function parameter). */
  layers: number[];
}

export type KernelRef =
  | { kind: 'site'; site: number }
  /** No initializer written: the library's default, as its own text. */
  | { kind: 'default'; text: string }
  /** A variable: `sites` are the initializers it can hold (assignments or callers' arguments). */
  | { kind: 'variable'; name: string; sites: number[] };

export interface Fans {
  fanIn?: number;
  fanOut?: number;
}

export interface LayerDef {
  id: number;
  framework: Framework;
  /** The layer's name as written: Dense, dense, Linear, Dropout, Conv2D… */
  type: string;
  role: LayerRole;
  /** The layer call (a functional application's second parentheses excluded). */
  start: number;
  end: number;
  nameStart: number;
  nameEnd: number;
  /** Where a missing kernel initializer argument goes: `before + argument + after` at `offset`. */
  insertAt?: { offset: number; before: string; after: string; objectStyle: boolean };
  /** PyTorch: where an `nn.init.…(<module>.weight)` line can go after the layer is created. */
  torchInsert?: { offset: number; indent: string; prefix: string; module: string };
  units?: number;
  /** Units written as something unreadable. */
  unitsText?: string;
  /** Normalized activation (`relu`, `linear`, `softmax`, `swish`…); undefined when unreadable. */
  activation?: string;
  activationText?: string;
  activationFrom: 'argument' | 'default' | 'layer' | 'forward' | 'unknown';
  kernel: KernelRef;
  /** Shape declared on the layer (input_shape, input_dim, inputShape, shape), batch axis dropped. */
  declaredShape?: (number | undefined)[];
  /** One entry per distinct (fan_in, fan_out) the layer is used with (a repeated layer has two). */
  fans: Fans[];
  prevDense?: number;
  nextDense: number[];
  isOutput: boolean;
  /**
   * Length of the longest run of consecutive hidden ReLU-family Dense layers this layer is part
   * of (repetitions counted), 0 for other layers: what "a deep ReLU stack" means.
   */
  reluRun: number;
  /** Whether a Sequential model, an nn.Sequential, a Module class or a functional chain holds it. */
  inContainer: boolean;
}

export interface ModelDef {
  id: number;
  framework: 'keras' | 'tfjs';
  /** The Sequential call. */
  start: number;
  end: number;
  nameStart: number;
  variable?: string;
  /** Enclosing function, for titles: create_and_train_model. */
  functionName?: string;
  /** Layer ids in order, a repeated layer listed once per repetition. */
  layers: number[];
  /** Why the layer list can't be read at all. */
  problem?: string;
}

export interface SourceModel {
  language: SourceLanguage;
  lineStarts: number[];
  sites: InitializerSite[];
  layers: LayerDef[];
  models: ModelDef[];
  /** Set when the scan stopped early on a bug: what was read before it is still here. */
  scanError?: string;
}
