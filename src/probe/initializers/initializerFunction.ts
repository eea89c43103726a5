/** The shape every dialect's table of initializer functions shares. */
import type { FanMode, InitSpec } from './spec';
import type { BoundArgs, CallStyle, ParamDef } from './signature';

/** Where a function comes from. `initlens` is LSUV, which no library ships as an initializer. */
export type SourceDialect = 'keras' | 'tfjs' | 'pytorch' | 'initlens';

export interface BuiltSpec {
  spec: InitSpec;
  /** Library behaviour worth telling the user about (see ParsedInitializer.notes). */
  notes?: string[];
}

export interface InitializerFunction {
  dialect: SourceDialect;
  /** Every spelling the library accepts for it (class name, snake_case alias, …). */
  names: readonly string[];
  params: readonly ParamDef[];
  style: CallStyle;
  build(args: BoundArgs): BuiltSpec;
}

/** A real function InitLens knows of but does not model; parsing it explains why. */
export interface UnsupportedFunction {
  dialect: SourceDialect;
  names: readonly string[];
  reason: string;
}

export const FAN_MODES: readonly FanMode[] = ['fan_in', 'fan_out', 'fan_avg'];

/** Drops float noise from computed scales (√2² = 2.0000000000000004) so canonical text stays clean. */
export function cleanScale(x: number): number {
  return Number(x.toPrecision(15));
}

/** Adds `seed` only when given, so that specs compare equal whether or not a seed was absent. */
export function withSeed<T extends object>(spec: T, seed: number | undefined): T {
  return seed === undefined ? spec : { ...spec, seed };
}
