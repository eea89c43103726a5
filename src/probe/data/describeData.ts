/**
 * What a data source holds and how big it is, from headers alone: cheap enough for the sidebar
 * to call whenever the setting changes. (An npz is still inflated once to reach its headers.)
 */
import { bundledDescription, peekBundled } from './bundled';
import { regularFileSize } from './fileBytes';
import { idxDescription, peekIdx } from './idx';
import { resolveDataSource } from './loadData';
import type { LoadOptions } from './loadData';
import { npzDescription, peekNpz } from './npz';
import type { DataSourceInfo } from './types';

export function describeDataSource(spec: string | undefined, opts: LoadOptions): DataSourceInfo {
  const source = resolveDataSource(spec, opts);
  switch (source.kind) {
    case 'bundled': {
      const h = peekBundled(opts.bundledPath);
      return {
        kind: 'bundled',
        path: opts.bundledPath,
        description: bundledDescription(h.trainCount, h.testCount),
        bytesOnDisk: regularFileSize(opts.bundledPath),
        ...h,
      };
    }
    case 'npz': {
      const s = peekNpz(source.path);
      return {
        kind: 'npz',
        path: source.path,
        description: npzDescription(source.path, s.trainCount, s.testCount, s.rows, s.cols),
        bytesOnDisk: regularFileSize(source.path),
        ...s,
      };
    }
    case 'idx': {
      const s = peekIdx(source.path);
      return {
        kind: 'idx',
        path: source.path,
        description: idxDescription(source.path, s.trainCount, s.testCount, s.rows, s.cols),
        ...s,
      };
    }
  }
}
