/**
 * The scanner: document text → every written initializer (site), every layer with the fans and
 * activation the surrounding code implies, and every Sequential model. Pure and total: any text,
 * however broken, gives a model (possibly empty), never an exception.
 *
 * A pipeline of passes over one shared state (scan/state.ts), one file each under scan/:
 * initializer sites, layers, containers, fan flow, kernel links.
 */
import type { SourceLanguage } from './lexer';
import type { SourceModel } from './sourceModel';
import { createScanState } from './scan/state';
import type { ScanState } from './scan/state';
import { readInitializerSites } from './scan/sites';
import { readLayers } from './scan/layers';
import { readContainers } from './scan/containers';
import { flowFans } from './scan/fanFlow';
import { linkDense, resolveKernels } from './scan/kernelLinks';
import { firstLine } from '../protocol/parse';

/** In order: each pass reads what the ones before it wrote into the state. */
const PASSES: readonly ((state: ScanState) => void)[] = [readInitializerSites, readLayers, readContainers, flowFans, resolveKernels, linkDense];

/** Scans a document's text. Total: never throws, whatever the text. */
export function scanSource(text: string, language: SourceLanguage): SourceModel {
  let state: ScanState | undefined;
  try {
    state = createScanState(text, language);
    for (const pass of PASSES) pass(state);
  } catch (err) {
    // A scanner bug must not take hovers down with it: keep whatever was read so far, and say why.
    const scanError = firstLine(err);
    if (!state) return { language, lineStarts: [0], sites: [], layers: [], models: [], scanError };
    return { language, lineStarts: state.stream.lineStarts, sites: state.sites, layers: state.layers, models: state.models, scanError };
  }
  return { language, lineStarts: state.stream.lineStarts, sites: state.sites, layers: state.layers, models: state.models };
}
