/**
 * Run progress for the sidebar, coalesced: at most one message per interval carrying the latest
 * progress of each run that moved. While the view is hidden only the latest value per run is
 * kept; the snapshot on `ready` carries it, so the list is dropped then.
 */
import type { HostToSidebar, RunProgress } from '../protocol/sidebar';

/** Progress deltas are coalesced per run: at most one message per run per interval. */
const PROGRESS_FLUSH_MS = 150;

export class ProgressFeed {
  private readonly pending = new Map<string, RunProgress>();
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly post: (message: HostToSidebar) => void,
    private readonly isReady: () => boolean,
  ) {}

  /** The latest progress of one run; sent with the next flush. */
  update(run: RunProgress): void {
    this.pending.set(run.runId, run);
    if (this.timer) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      if (!this.isReady() || this.pending.size === 0) return;
      const runs = [...this.pending.values()];
      this.pending.clear();
      this.post({ type: 'progress', reset: false, runs });
    }, PROGRESS_FLUSH_MS);
  }

  /** Forgets what is pending: a snapshot or a reset list is about to carry it. */
  clear(): void {
    this.pending.clear();
  }

  dispose(): void {
    if (this.timer) clearTimeout(this.timer);
  }
}
