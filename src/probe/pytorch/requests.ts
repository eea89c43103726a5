/**
 * Runs for the user's own PyTorch model: one "as written" (the model's own initialization,
 * PyTorch's defaults included) and/or one per candidate initializer, which re-draws every
 * Linear/Conv kernel. The CLI and the editor's CodeLens build their requests here.
 */
import { basename } from 'node:path';
import type { ProbeConfig } from '../config';
import type { RunRequest } from '../../protocol';
import { parseInitializer } from '../initializers/parse';

export interface TorchModelRef {
  file: string;
  name?: string;
  args?: unknown[] | Record<string, unknown>;
}

export function modelLabel(model: TorchModelRef): string {
  return model.name ?? basename(model.file);
}

/** Throws the parser's one-line error for a candidate it cannot read. */
export function torchRequests(model: TorchModelRef, config: ProbeConfig, candidates: readonly string[], options: { asWritten: boolean; idPrefix?: string }): RunRequest[] {
  const prefix = options.idPrefix ?? 'run';
  const requests: RunRequest[] = [];
  const id = (): string => `${prefix}${requests.length + 1}`;
  if (options.asWritten) {
    requests.push({ runId: id(), label: `${modelLabel(model)} as written`, initializer: 'as written', config, pytorch: { ...model, reinitialize: false } });
  }
  for (const text of candidates) {
    parseInitializer(text);
    requests.push({ runId: id(), label: text, initializer: text, config, pytorch: { ...model, reinitialize: true } });
  }
  return requests;
}
