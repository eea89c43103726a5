/**
 * The VS Code side of Python discovery (pythonCore.ts is the pure core): the settings, the
 * Python extension through its published API facade, PATH, and what the chosen interpreter
 * offers (torch version, device), cached per interpreter and refreshed when any of them change.
 */
import * as vscode from 'vscode';
import { PythonExtension, PVSC_EXTENSION_ID } from '@vscode/python-extension';
import { choosePython, followActiveEnvironment } from './pythonCore';
import type { PythonChoice, PythonEnvironmentsApi } from './pythonCore';
import { which } from '../probe/pytorch/which';
import { checkRuntime, installHint } from '../probe/pytorch/runtime';
import type { RuntimeCheck } from '../probe/pytorch/runtime';
import { DEFAULT_PYTORCH_TIMEOUT_SECONDS } from '../probe/runner';
import type { PytorchOptions } from '../probe/runner';

export const PYTHON_SETTINGS = ['initlens.pythonPath', 'initlens.device', 'initlens.pytorchTimeoutSeconds'] as const;

export interface PythonSettings {
  pythonPath: string;
  device: 'auto' | 'cpu' | 'cuda';
  timeoutSeconds: number;
}

export function readPythonSettings(scope?: vscode.Uri): PythonSettings {
  const c = vscode.workspace.getConfiguration('initlens', scope);
  const device = c.get<string>('device', 'auto');
  const timeout = c.get<number>('pytorchTimeoutSeconds', DEFAULT_PYTORCH_TIMEOUT_SECONDS);
  return {
    pythonPath: c.get<string>('pythonPath', '') ?? '',
    device: device === 'cpu' || device === 'cuda' ? device : 'auto',
    timeoutSeconds: Number.isFinite(timeout) && timeout > 0 ? timeout : DEFAULT_PYTORCH_TIMEOUT_SECONDS,
  };
}

async function extensionApi(): Promise<PythonEnvironmentsApi | undefined> {
  if (!vscode.extensions.getExtension(PVSC_EXTENSION_ID)) return undefined;
  const api = await PythonExtension.api();
  return api.environments as unknown as PythonEnvironmentsApi;
}

export function findPython(resource?: vscode.Uri): Promise<PythonChoice> {
  return choosePython({
    setting: readPythonSettings(resource).pythonPath,
    extension: vscode.extensions.getExtension(PVSC_EXTENSION_ID) ? extensionApi : undefined,
    resource,
    which,
  });
}

export interface PythonStatus {
  choice: PythonChoice;
  check?: RuntimeCheck;
  /** One line when PyTorch runs cannot start; undefined when they can. */
  problem?: string;
}

const cache = new Map<string, Promise<RuntimeCheck>>();

/** Fires when the setting or the Python extension's active environment changes. */
export function onPythonChange(listener: () => void): vscode.Disposable {
  const subs: vscode.Disposable[] = [
    vscode.workspace.onDidChangeConfiguration((e) => {
      if (PYTHON_SETTINGS.some((key) => e.affectsConfiguration(key))) {
        cache.clear();
        listener();
      }
    }),
  ];
  subs.push(
    followActiveEnvironment(
      vscode.extensions.getExtension(PVSC_EXTENSION_ID) ? async () => (await PythonExtension.api()).environments : undefined,
      () => {
        cache.clear();
        listener();
      },
    ),
  );
  return new vscode.Disposable(() => subs.forEach((d) => d.dispose()));
}

export async function pythonStatus(resource?: vscode.Uri): Promise<PythonStatus> {
  const choice = await findPython(resource);
  if (!choice.executable) return { choice, problem: choice.why };
  const device = readPythonSettings(resource).device;
  const key = `${choice.executable}\0${device}`;
  let pending = cache.get(key);
  if (!pending) cache.set(key, (pending = checkRuntime(choice.executable, device)));
  const check = await pending;
  if (!check.ok) {
    cache.delete(key);
    return { choice, check, problem: check.reason };
  }
  if (!check.status.torch || !check.status.numpy) {
    return { choice, check, problem: `${check.status.executable} cannot import torch and numpy (${check.status.missing}); ${installHint(check.status.executable)}` };
  }
  return { choice, check };
}

/** Options for the runner, or the one-line reason PyTorch runs cannot start. */
export async function pytorchOptions(resource?: vscode.Uri): Promise<PytorchOptions | { problem: string }> {
  const status = await pythonStatus(resource);
  if (status.problem || !status.choice.executable) return { problem: status.problem ?? status.choice.why };
  const settings = readPythonSettings(resource);
  return { python: status.choice.executable, device: settings.device, timeoutSeconds: settings.timeoutSeconds };
}
