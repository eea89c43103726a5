/**
 * The sidebar's Status section, kept: the data source's description is cached per setting (it
 * reads the file), and the newest stored comparison stands in for "backend in use" until
 * something runs in this window.
 */
import type { InitLensContext } from '../host/context';
import { readSettings } from '../host/settings';
import { describeDataSource } from '../probe/data/describeData';
import { bundledDataPath } from '../probe/paths';
import type { StatusState } from '../protocol/sidebar';
import type { ResultsDocument } from '../results';
import { backendStatus, dataStatus, latestBackendRun } from './status';
import type { DataStatus } from './status';

export class StatusSource {
  private dataCache: DataStatus | undefined;
  /** The newest stored comparison, for "backend in use" before anything ran in this window. */
  private latestStored: ResultsDocument | undefined;
  private loading = false;

  constructor(private readonly ctx: InitLensContext) {}

  /** The data source may have changed (setting, trust): describe it again next time. */
  invalidateData(): void {
    this.dataCache = undefined;
  }

  status(): StatusState {
    const settings = readSettings();
    // The latest run that reported a backend: this window's, else the newest stored comparison's.
    const latest = latestBackendRun(this.ctx.session.current) ?? latestBackendRun(this.latestStored);
    const data = settings.config.data;
    if (this.dataCache?.setting !== data) {
      this.dataCache = dataStatus(data, () => describeDataSource(data, { bundledPath: bundledDataPath() }));
    }
    return {
      backend: backendStatus(settings.config.backend, latest),
      data: this.dataCache,
      running: this.ctx.session.running,
    };
  }

  /** Loads the newest stored comparison once; `loaded` runs when it changed what status() says. */
  async loadLatestStored(loaded: () => void): Promise<void> {
    if (this.latestStored || this.loading) return;
    const newest = this.ctx.session.history.entries()[0];
    if (!newest) return;
    this.loading = true;
    try {
      this.latestStored = await this.ctx.session.history.load(newest.id);
    } finally {
      this.loading = false;
    }
    if (this.latestStored) loaded();
  }
}
