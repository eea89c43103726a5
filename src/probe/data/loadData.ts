/**
 * The front door of the data loaders: turns what a person wrote (a setting, a CLI flag) into
 * a source, and loads it. Everything refused is a DataError with a one-line message.
 */
import { statSync } from 'node:fs';
import { homedir } from 'node:os';
import { basename, dirname, isAbsolute, join, resolve } from 'node:path';
import { loadBundled } from './bundled';
import { DataError } from './dataError';
import { IDX_FILES, idxCandidates, loadIdx } from './idx';
import { loadNpz } from './npz';
import type { DataKind, LoadedData } from './types';

export interface ResolveOptions {
  /** Stands in for the user's home folder (`~` and the Keras cache); tests point it at a temp dir. */
  homeDir?: string;
  /** Base for relative paths; defaults to process.cwd(). */
  cwd?: string;
}

export interface LoadOptions extends ResolveOptions {
  /** Absolute path of media/data/mnist-10k.bin.gz inside the installed extension. */
  bundledPath: string;
}

export interface ResolvedSource {
  kind: DataKind;
  /** Absolute file or folder path; 'bundled' for the bundled set. */
  path: string;
}

const BUNDLED: ResolvedSource = { kind: 'bundled', path: 'bundled' };
const USAGE = "use 'auto', 'mnist' (the bundled sample), a path to an .npz, or a folder of IDX files";

/**
 * Where Keras' `mnist.load_data()` caches the download. KERAS_HOME moves it, as in Keras,
 * unless a homeDir is given explicitly (then the answer depends on that folder alone).
 */
export function kerasMnistPath(opts: ResolveOptions = {}): string {
  const kerasHome = opts.homeDir !== undefined ? join(opts.homeDir, '.keras') : process.env.KERAS_HOME || join(homedir(), '.keras');
  return join(kerasHome, 'datasets', 'mnist.npz');
}

function kindOf(path: string): 'file' | 'folder' | 'other' | undefined {
  try {
    const st = statSync(path);
    return st.isFile() ? 'file' : st.isDirectory() ? 'folder' : 'other';
  } catch {
    return undefined;
  }
}

function looksLikePath(spec: string): boolean {
  return /[\\/]/.test(spec) || spec.startsWith('.') || spec.startsWith('~') || /\.npz$/i.test(spec);
}

/** Names an IDX member (e.g. a picked train-images-idx3-ubyte.gz) stands for its folder. */
function isIdxMemberName(name: string): boolean {
  return Object.values(IDX_FILES).some((n) => idxCandidates(n).includes(name));
}

export function resolveDataSource(spec: string | undefined, opts: ResolveOptions = {}): ResolvedSource {
  const written = (spec ?? '').trim();
  const lower = written.toLowerCase();
  if (lower === '' || lower === 'auto') {
    const keras = kerasMnistPath(opts);
    return kindOf(keras) === 'file' ? { kind: 'npz', path: keras } : BUNDLED;
  }
  if (lower === 'mnist' || lower === 'bundled') return BUNDLED;

  const home = opts.homeDir ?? homedir();
  const expanded = written === '~' ? home : /^~[\\/]/.test(written) ? join(home, written.slice(2)) : written;
  const path = isAbsolute(expanded) ? resolve(expanded) : resolve(opts.cwd ?? process.cwd(), expanded);
  if (/\.npz$/i.test(path)) return { kind: 'npz', path };

  const found = kindOf(path);
  if (found === 'folder') return { kind: 'idx', path };
  if (found === 'file' && isIdxMemberName(basename(path))) return { kind: 'idx', path: dirname(path) };
  if (found === 'file') {
    throw new DataError(path, 'bad-source', `is neither an .npz nor an IDX file; ${USAGE}`);
  }
  if (found === 'other') throw new DataError(path, 'bad-source', `is not a file or folder; ${USAGE}`);
  if (looksLikePath(written)) throw new DataError(path, 'not-found', 'no such file or folder');
  throw new DataError(written, 'bad-source', `unknown data source; ${USAGE}`);
}

export function loadData(spec: string | undefined, opts: LoadOptions): LoadedData {
  const source = resolveDataSource(spec, opts);
  switch (source.kind) {
    case 'bundled':
      return loadBundled(opts.bundledPath);
    case 'npz':
      return loadNpz(source.path);
    case 'idx':
      return loadIdx(source.path);
  }
}
