/**
 * Reading named entries out of a zip (an .npz) with fflate's streaming Unzip. Streaming, not
 * unzipSync, because unzipSync inflates every entry to the end however large it really is,
 * trusting the sizes the archive declares; here the input goes in 64 KiB pieces and reading
 * stops as soon as an entry's output passes MAX_INFLATED_BYTES, so a zip bomb is refused
 * after at most one piece's worth of extra work (deflate's ratio tops out near 1032:1, so
 * one piece inflates to at most ~66 MiB).
 * fflate does not check entry CRCs; the .npy length checks catch most damage instead.
 */
import { Inflate, Unzip, UnzipInflate } from 'fflate';
import type { AsyncFlateStreamHandler, UnzipDecoder, UnzipDecoderConstructor } from 'fflate';
import { DataError } from './dataError';
import { formatBytes, formatCount } from './format';
import { MAX_INFLATED_BYTES, MAX_ZIP_ENTRIES } from './limits';

const PUSH_BYTES = 64 * 1024;
const LOCAL_HEADER = [0x50, 0x4b, 0x03, 0x04];
const EMPTY_ARCHIVE = [0x50, 0x4b, 0x05, 0x06];
/** End-of-central-directory record: 22 bytes plus a comment of up to 65,535. */
const EOCD_SEARCH = 22 + 0xffff;

interface EntryState {
  declared: number | undefined;
  parts: Uint8Array[];
  kept: number;
  total: number;
  done: boolean;
}

export interface ZipReadOptions {
  /** Keep only this many leading bytes of each entry (enough for headers). Default: all. */
  keepBytes?: number;
  /** Per-entry output ceiling; tests lower it to exercise the refusal cheaply. */
  maxInflatedBytes?: number;
}

function hasAt(bytes: Uint8Array, at: number, sig: readonly number[]): boolean {
  return sig.every((b, i) => bytes[at + i] === b);
}

/** A download cut short loses the end record first: the one check fflate's stream never makes. */
function hasEndRecord(zip: Uint8Array): boolean {
  for (let i = zip.length - 22; i >= 0 && i >= zip.length - EOCD_SEARCH; i--) {
    if (hasAt(zip, i, EMPTY_ARCHIVE)) return true;
  }
  return false;
}

function concat(parts: readonly Uint8Array[], length: number): Uint8Array {
  const out = new Uint8Array(length);
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/**
 * A deflate decoder that stops inflating once `limit` bytes are out and skips the rest of the
 * entry: reading four .npy headers then costs a few KiB of inflation, not the whole archive.
 */
function headInflate(limit: number): UnzipDecoderConstructor {
  return class HeadInflate implements UnzipDecoder {
    static readonly compression = 8;
    ondata: AsyncFlateStreamHandler = () => undefined;
    private produced = 0;
    private readonly inflate = new Inflate((chunk, final) => {
      this.produced += chunk.length;
      this.ondata(null, chunk, final);
    });

    push(chunk: Uint8Array, final: boolean): void {
      if (this.produced < limit) this.inflate.push(chunk, final);
      else if (final) this.ondata(null, new Uint8Array(0), true);
    }
  };
}

/** Returns the requested entries that exist; callers decide what a missing one means. */
export function readZipEntries(
  file: string,
  zip: Uint8Array,
  names: readonly string[],
  opts: ZipReadOptions = {},
): Map<string, Uint8Array> {
  if (zip.length < 4 && hasAt(zip, 0, LOCAL_HEADER.slice(0, zip.length))) {
    throw new DataError(file, 'truncated', `only ${zip.length} bytes; too short to be a zip archive`);
  }
  if (hasAt(zip, 0, EMPTY_ARCHIVE)) return new Map();
  if (!hasAt(zip, 0, LOCAL_HEADER)) {
    throw new DataError(file, 'bad-magic', 'not a zip archive (an .npz is a zip of .npy files)');
  }
  if (!hasEndRecord(zip)) {
    throw new DataError(file, 'truncated', 'zip archive has no end record (incomplete download?)');
  }
  const keep = opts.keepBytes ?? Number.POSITIVE_INFINITY;
  const limit = opts.maxInflatedBytes ?? MAX_INFLATED_BYTES;
  const wanted = new Set(names);
  const states = new Map<string, EntryState>();
  let entryCount = 0;

  const unzip = new Unzip((entry) => {
    entryCount += 1;
    if (entryCount > MAX_ZIP_ENTRIES) {
      throw new DataError(file, 'corrupt', `holds more than ${formatCount(MAX_ZIP_ENTRIES)} entries; not an npz of a few arrays`);
    }
    const name = entry.name;
    if (!wanted.has(name)) return;
    if (states.has(name)) throw new DataError(file, 'corrupt', `${name} appears twice in the archive`);
    if (entry.compression !== 0 && entry.compression !== 8) {
      throw new DataError(file, 'corrupt', `${name} uses zip compression method ${entry.compression}; only stored and deflate are supported`);
    }
    if (entry.originalSize !== undefined && entry.originalSize > limit) {
      throw new DataError(file, 'too-large', `${name} declares ${formatBytes(entry.originalSize)} uncompressed; the limit is ${formatBytes(limit)}`);
    }
    const state: EntryState = { declared: entry.originalSize, parts: [], kept: 0, total: 0, done: false };
    states.set(name, state);
    entry.ondata = (err, chunk, final) => {
      if (err) throw err;
      state.total += chunk.length;
      if (state.total > limit) {
        throw new DataError(file, 'too-large', `${name} inflates to more than ${formatBytes(limit)} (the limit); refusing it`);
      }
      if (state.kept < keep) {
        const part = chunk.subarray(0, Math.min(chunk.length, keep - state.kept));
        state.parts.push(part);
        state.kept += part.length;
      }
      if (final) {
        if (state.declared !== undefined && state.total !== state.declared && !Number.isFinite(keep)) {
          throw new DataError(file, 'corrupt', `${name} inflates to ${formatCount(state.total)} bytes but declares ${formatCount(state.declared)}`);
        }
        state.done = true;
      }
    };
    entry.start();
  });
  unzip.register(Number.isFinite(keep) ? headInflate(keep) : UnzipInflate);

  for (let at = 0; at < zip.length; at += PUSH_BYTES) {
    const end = Math.min(zip.length, at + PUSH_BYTES);
    try {
      unzip.push(zip.subarray(at, end), end === zip.length);
    } catch (e) {
      if (e instanceof DataError) throw e;
      // The end record is present, so the archive is whole: a failure here is damage inside it.
      const unfinished = [...states].find(([, s]) => !s.done)?.[0];
      const why = e instanceof Error ? e.message : String(e);
      throw new DataError(file, 'corrupt', `${unfinished ? `${unfinished}: ` : ''}zip data is corrupt (${why})`);
    }
  }

  const out = new Map<string, Uint8Array>();
  for (const [name, s] of states) {
    if (!s.done) throw new DataError(file, 'corrupt', `${name}: entry data ends early (sizes in the archive disagree)`);
    out.set(name, concat(s.parts, s.kept));
  }
  return out;
}
