/**
 * Getting bytes off disk safely: every read is bounded, every failure is a DataError naming
 * the file. Returns plain Uint8Arrays, not Buffers, because Buffer#slice is a view, not a copy.
 */
import { closeSync, openSync, readFileSync, readSync, statSync } from 'node:fs';
import type { Stats } from 'node:fs';
import { constants as zlibConstants, gunzipSync } from 'node:zlib';
import { DataError } from './dataError';
import { formatBytes } from './format';
import { MAX_FILE_BYTES, MAX_INFLATED_BYTES } from './limits';

function errnoOf(e: unknown): string | undefined {
  if (typeof e === 'object' && e !== null && 'code' in e && typeof e.code === 'string') return e.code;
  return undefined;
}

function fsError(file: string, e: unknown, verb: string): DataError {
  const code = errnoOf(e);
  if (code === 'ENOENT' || code === 'ENOTDIR') return new DataError(file, 'not-found', 'no such file or folder');
  if (code === 'EACCES' || code === 'EPERM') return new DataError(file, 'unreadable', `permission denied while trying to ${verb} it`);
  const why = e instanceof Error ? e.message : String(e);
  return new DataError(file, 'unreadable', `cannot ${verb} it (${why})`);
}

function plain(bytes: Uint8Array): Uint8Array {
  return new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

export function statPath(file: string): Stats {
  try {
    return statSync(file);
  } catch (e) {
    throw fsError(file, e, 'inspect');
  }
}

/** The size of a regular file, refusing folders, devices and files over the limit. */
export function regularFileSize(file: string, limit = MAX_FILE_BYTES): number {
  const st = statPath(file);
  if (st.isDirectory()) throw new DataError(file, 'bad-source', 'is a folder, expected a file');
  if (!st.isFile()) throw new DataError(file, 'unreadable', 'is not a regular file');
  if (st.size > limit) {
    throw new DataError(file, 'too-large', `file is ${formatBytes(st.size)}; the limit is ${formatBytes(limit)}`);
  }
  return st.size;
}

export function readFileBounded(file: string, limit = MAX_FILE_BYTES): Uint8Array {
  regularFileSize(file, limit);
  let bytes: Uint8Array;
  try {
    bytes = readFileSync(file);
  } catch (e) {
    throw fsError(file, e, 'read');
  }
  // The file may have grown since stat.
  if (bytes.length > limit) {
    throw new DataError(file, 'too-large', `file is ${formatBytes(bytes.length)}; the limit is ${formatBytes(limit)}`);
  }
  return plain(bytes);
}

/** The first `n` bytes (fewer if the file is shorter), without reading the rest. */
export function readFileHead(file: string, n: number): Uint8Array {
  regularFileSize(file);
  let fd: number | undefined;
  try {
    fd = openSync(file, 'r');
    const head = new Uint8Array(n);
    let got = 0;
    while (got < n) {
      const r = readSync(fd, head, got, n - got, got);
      if (r === 0) break;
      got += r;
    }
    return head.subarray(0, got);
  } catch (e) {
    throw fsError(file, e, 'read');
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

export function isGzip(bytes: Uint8Array): boolean {
  return bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b;
}

function gzipError(file: string, e: unknown, limit: number): DataError {
  const code = errnoOf(e);
  if (code === 'ERR_BUFFER_TOO_LARGE') {
    return new DataError(file, 'too-large', `decompresses to more than ${formatBytes(limit)} (the limit); refusing it`);
  }
  if (code === 'Z_BUF_ERROR') return new DataError(file, 'truncated', 'gzip data ends early (incomplete download?)');
  const why = e instanceof Error ? e.message : String(e);
  return new DataError(file, 'corrupt', `gzip data is corrupt (${why})`);
}

/** Whole gzip file; zlib stops at `limit` output bytes, so a gzip bomb is refused early. */
export function gunzipBounded(file: string, gz: Uint8Array, limit = MAX_INFLATED_BYTES): Uint8Array {
  if (!isGzip(gz)) throw new DataError(file, 'bad-magic', 'not a gzip file (expected bytes 1f 8b)');
  try {
    return plain(gunzipSync(gz, { maxOutputLength: limit }));
  } catch (e) {
    throw gzipError(file, e, limit);
  }
}

/** The first bytes of a gzip stream from the first bytes of the file: enough to read a header. */
export function gunzipHead(file: string, gzHead: Uint8Array, n: number): Uint8Array {
  if (!isGzip(gzHead)) throw new DataError(file, 'bad-magic', 'not a gzip file (expected bytes 1f 8b)');
  // 1032:1 is deflate's best ratio: this cap only matters for hostile files.
  const limit = Math.max(n, gzHead.length * 1032);
  try {
    const out = gunzipSync(gzHead, { finishFlush: zlibConstants.Z_SYNC_FLUSH, maxOutputLength: limit });
    return plain(out.subarray(0, Math.min(n, out.length)));
  } catch (e) {
    throw gzipError(file, e, limit);
  }
}
