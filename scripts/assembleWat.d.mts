export interface WatKernel {
  wat: string;
  out: string;
  /** One assembled module per entry: as written (relaxed) or without relaxed SIMD. */
  modules: { name: string; relaxed: boolean }[];
}
export const KERNELS: WatKernel[];
export function withoutRelaxed(text: string): string;
export function assemble(watPath: string, relaxed?: boolean): Promise<string>;
export function moduleText(kernel: WatKernel, base64s: string[]): string;
export function kernelText(kernel: WatKernel): Promise<string>;
export function assembleAll(): Promise<void>;
