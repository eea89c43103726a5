// Placeholder until the editor features land (issue: hovers, diagnostics, quick fixes, CodeLens).
import type { CompareApi, InitLensContext } from '../host/context';

export function registerEditor(_ctx: InitLensContext, _compare: CompareApi): void {}
