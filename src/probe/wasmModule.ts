/**
 * A WebAssembly module assembled at build time (a .wat file, committed as base64), compiled on
 * first use and kept; null where the runtime cannot validate it (no WebAssembly SIMD).
 */
export function lazyWasmModule(base64: string): () => WebAssembly.Module | null {
  let compiled: WebAssembly.Module | null | undefined;
  return () => {
    if (compiled === undefined) {
      const bytes = Buffer.from(base64, 'base64');
      compiled = typeof WebAssembly === 'object' && WebAssembly.validate(bytes) ? new WebAssembly.Module(bytes) : null;
    }
    return compiled;
  };
}
