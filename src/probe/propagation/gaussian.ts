/** Seeded standard normal draws in float64 (Box–Muller over mulberry32): inputs and biases that repeat. */
import { mulberry32 } from '../random';

export function gaussianSource(seed: number): () => number {
  const uniform = mulberry32(seed);
  let spare: number | undefined;
  return () => {
    if (spare !== undefined) {
      const z = spare;
      spare = undefined;
      return z;
    }
    // 1 − u keeps the logarithm finite (u can be 0, never 1).
    const r = Math.sqrt(-2 * Math.log(1 - uniform()));
    const theta = 2 * Math.PI * uniform();
    spare = r * Math.sin(theta);
    return r * Math.cos(theta);
  };
}
