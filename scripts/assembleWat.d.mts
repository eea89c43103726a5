export interface WatKernel {
  wat: string;
  out: string;
  name: string;
}
export const KERNELS: WatKernel[];
export function assemble(watPath: string): Promise<string>;
export function moduleText(kernel: WatKernel, base64: string): string;
export function assembleAll(): Promise<void>;
