// Placeholder until the sidebar lands (issue: InitLens sidebar).
import type { CompareApi, InitLensContext } from '../host/context';

export function registerSidebar(_ctx: InitLensContext, _compare: CompareApi): void {}
