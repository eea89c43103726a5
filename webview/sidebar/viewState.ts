/** What survives the sidebar view being hidden and shown again, besides the host's snapshot. */
import { loadViewState, saveViewState as save } from '../shared/channel';

export interface ViewState {
  /** Sections folded by the person. */
  closed: string[];
  /** Catalog ids whose note is expanded. */
  notes: string[];
  /** Text in the add-an-initializer field. */
  customDraft: string;
  /** Text typed into a field but refused (not written), with its reason. */
  drafts: Record<string, { value: string; problem: string }>;
  scrollY: number;
}

const EMPTY: ViewState = { closed: [], notes: [], customDraft: '', drafts: {}, scrollY: 0 };

function restore(): ViewState {
  const raw = loadViewState();
  if (typeof raw !== 'object' || raw === null) return { ...EMPTY };
  const r = raw as Partial<Record<keyof ViewState, unknown>>;
  const strings = (v: unknown): string[] => (Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : []);
  const drafts: ViewState['drafts'] = {};
  if (typeof r.drafts === 'object' && r.drafts !== null) {
    for (const [k, v] of Object.entries(r.drafts as Record<string, unknown>)) {
      const d = v as { value?: unknown; problem?: unknown };
      if (typeof d?.value === 'string' && typeof d.problem === 'string') drafts[k] = { value: d.value, problem: d.problem };
    }
  }
  return {
    closed: strings(r.closed),
    notes: strings(r.notes),
    customDraft: typeof r.customDraft === 'string' ? r.customDraft : '',
    drafts,
    scrollY: typeof r.scrollY === 'number' && Number.isFinite(r.scrollY) ? r.scrollY : 0,
  };
}

export const viewState: ViewState = restore();

export function saveViewState(): void {
  save(viewState);
}
