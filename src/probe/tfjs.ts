/**
 * The one tfjs instance every engine module uses, and the choice of backend.
 *
 * `@tensorflow/tfjs-node` is an optional dependency (its install downloads libtensorflow, which
 * fails offline). When it loads, it brings its own copy of tfjs-core; tensors from two cores
 * don't mix, so the engine must then use tfjs-node's namespace for everything — hence a live
 * binding that `selectBackend` may switch before any tensor exists.
 */
// tfjs-core with the cpu and wasm backends only: the probe needs no layers, converter or
// webgl, and a smaller bundle starts faster (every probe process loads it). Gradients are not
// registered either: backprop.ts writes the backward pass out.
import * as bundled from '@tensorflow/tfjs-core';
import { version_cpu } from '@tensorflow/tfjs-backend-cpu';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { BackendRequest } from './config';
import type { BackendName } from '../protocol';
import { firstLine } from '../protocol/parse';

export type Tf = typeof bundled;


export let tf: Tf = bundled;

export interface BackendChoice {
  name: BackendName;
  reason: string;
}

function loadTfjsNode(): Tf | string {
  try {
    // Resolved at run time from node_modules; never bundled.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    return require('@tensorflow/tfjs-node') as Tf;
  } catch (err) {
    const code = (err as { code?: string }).code;
    return code === 'MODULE_NOT_FOUND'
      ? 'tfjs-node is not installed (optional: its install downloads libtensorflow)'
      : `tfjs-node failed to load: ${firstLine(err)}`;
  }
}

/** Folder holding the tfjs wasm binaries: dist/wasm next to the bundle, or node_modules in tests. */
export function wasmDir(): string | undefined {
  const candidates = [
    join(__dirname, 'wasm'),
    join(__dirname, '..', 'dist', 'wasm'),
    join(__dirname, '..', '..', 'dist', 'wasm'),
    join(__dirname, '..', '..', 'node_modules', '@tensorflow', 'tfjs-backend-wasm', 'dist'),
  ];
  return candidates.find((dir) => existsSync(join(dir, 'tfjs-backend-wasm-simd.wasm')));
}

/** tfjs-node when it loads, else wasm (SIMD), else the pure-JS cpu backend; says why. */
export async function selectBackend(request: BackendRequest): Promise<BackendChoice> {
  const notes: string[] = [];
  if (request === 'auto' || request === 'tensorflow') {
    const loaded = loadTfjsNode();
    if (typeof loaded !== 'string') {
      tf = loaded;
      await tf.setBackend('tensorflow');
      await tf.ready();
      return { name: 'tensorflow', reason: 'tfjs-node (native TensorFlow) loaded' };
    }
    notes.push(loaded);
  }
  if (request === 'auto' || request === 'tensorflow' || request === 'wasm') {
    const dir = wasmDir();
    if (dir) {
      setWasmPaths(dir + '/');
      try {
        if (await tf.setBackend('wasm')) {
          await tf.ready();
          const simd = await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT');
          notes.push(`wasm${simd ? ' with SIMD' : ' without SIMD'}`);
          return { name: 'wasm', reason: notes.join('; ') };
        }
        notes.push('wasm backend failed to initialise');
      } catch (err) {
        notes.push(`wasm backend failed: ${firstLine(err)}`);
      }
    } else {
      notes.push('wasm binaries not found');
    }
  }
  // Naming version_cpu keeps the bundler from dropping the import that registers the backend.
  if (!(await tf.setBackend('cpu'))) throw new Error(`cpu backend ${version_cpu} failed to initialise`);
  await tf.ready();
  notes.push(request === 'cpu' ? 'cpu requested' : 'falling back to the pure-JS cpu backend (slow)');
  return { name: 'cpu', reason: notes.join('; ') };
}
