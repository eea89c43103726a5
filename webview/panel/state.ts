/**
 * What the person chose in the Compare panel (the step shown, the measured quantity, the run in
 * the heatmap) and what survives a reload of the webview (and of the window, through the
 * serializer).
 */
import { loadViewState, saveViewState } from '../shared/channel';

export type LayerMeasure = 'activationVariance' | 'activationSecondMoment';

/** Saved with the webview's state. */
export interface SavedState {
  title?: string;
  skipped?: string[];
  selectedRun?: string;
  stepIndex?: number;
}

function loadState(): SavedState {
  const raw = loadViewState();
  return typeof raw === 'object' && raw !== null ? (raw as SavedState) : {};
}

export class PanelState {
  readonly saved: SavedState = loadState();
  /** Position on the step slider (0 = initialization). */
  stepIndex = this.saved.stepIndex ?? 0;
  /** The slider sits at the newest step and moves with it as steps arrive. */
  followLatest = false;
  measure: LayerMeasure = 'activationVariance';

  get selectedRun(): string | undefined {
    return this.saved.selectedRun;
  }

  set selectedRun(runId: string | undefined) {
    this.saved.selectedRun = runId;
  }

  /** The slider moved to `index` of `max`. */
  setStep(index: number, max: number): void {
    this.stepIndex = index;
    this.followLatest = index === max && index > 0;
  }

  persist(): void {
    this.saved.stepIndex = this.stepIndex;
    saveViewState(this.saved);
  }
}
