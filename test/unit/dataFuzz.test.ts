/**
 * Property tests for the data loaders: whatever bytes a file holds, a loader either returns
 * data that keeps every invariant the trainer relies on, or throws a DataError. Nothing else:
 * no TypeError from a bad offset, no RangeError from a huge allocation, no hang.
 */
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import fc from 'fast-check';
import { loadBundled, parseBundled } from '../../src/probe/data/bundled';
import { DataError } from '../../src/probe/data/dataError';
import { describeDataSource } from '../../src/probe/data/describeData';
import { loadIdx, parseIdx } from '../../src/probe/data/idx';
import { resolveDataSource } from '../../src/probe/data/loadData';
import { MAX_PIXELS_PER_IMAGE } from '../../src/probe/data/limits';
import { parseNpy } from '../../src/probe/data/npy';
import { npyToImages, npyToLabels } from '../../src/probe/data/npyDigits';
import { loadNpz } from '../../src/probe/data/npz';
import type { DigitSet, LoadedData } from '../../src/probe/data/types';
import { bundledPayload, idxFolderFiles, makeDigits, npzBytes, npzMembers, tempDir, zipBytes } from './dataFixtures';

/** FUZZ_RUNS=5000 for a longer hunt; 200 keeps the suite fast. */
const RUNS = Number(process.env.FUZZ_RUNS) || 200;
const TIMEOUT_MS = 60_000;

const tmp = tempDir('initlens-fuzz-');
after(tmp.cleanup);

const train = makeDigits(6, 8, 8, 21);
const test = makeDigits(3, 8, 8, 22);

// ------------------------------------------------------------------ mutations

/** Values that make header fields interesting: zero, one, huge, signed-looking, plausible. */
const INTERESTING_U32 = [0, 1, 8, 28, 784, 0x7fffffff, 0x80000000, 0xffffffff, 1_000_000_000, 0x803, 0x801];

type Mutation =
  | { kind: 'set'; at: number; value: number }
  | { kind: 'u32'; at: number; value: number; littleEndian: boolean }
  | { kind: 'cut'; at: number }
  | { kind: 'insert'; at: number; bytes: Uint8Array }
  | { kind: 'delete'; at: number; n: number };

/** Positions are biased toward the first 64 bytes, where the headers are. */
const position = fc.oneof(fc.nat(63), fc.nat());

const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({ kind: fc.constant('set' as const), at: position, value: fc.integer({ min: 0, max: 255 }) }),
  fc.record({ kind: fc.constant('u32' as const), at: position, value: fc.constantFrom(...INTERESTING_U32), littleEndian: fc.boolean() }),
  fc.record({ kind: fc.constant('cut' as const), at: fc.nat() }),
  fc.record({ kind: fc.constant('insert' as const), at: position, bytes: fc.uint8Array({ minLength: 1, maxLength: 16 }) }),
  fc.record({ kind: fc.constant('delete' as const), at: position, n: fc.integer({ min: 1, max: 32 }) }),
);

const mutations = fc.array(mutation, { minLength: 1, maxLength: 4 });

function mutate(base: Uint8Array, ms: readonly Mutation[]): Uint8Array {
  let b = base.slice();
  for (const m of ms) {
    if (b.length === 0) break;
    const at = m.at % b.length;
    switch (m.kind) {
      case 'set':
        b[at] = m.value;
        break;
      case 'u32': {
        if (at + 4 <= b.length) new DataView(b.buffer, b.byteOffset).setUint32(at, m.value, m.littleEndian);
        break;
      }
      case 'cut':
        b = b.slice(0, at);
        break;
      case 'insert': {
        const out = new Uint8Array(b.length + m.bytes.length);
        out.set(b.subarray(0, at));
        out.set(m.bytes, at);
        out.set(b.subarray(at), at + m.bytes.length);
        b = out;
        break;
      }
      case 'delete': {
        const end = Math.min(b.length, at + m.n);
        const out = new Uint8Array(b.length - (end - at));
        out.set(b.subarray(0, at));
        out.set(b.subarray(end), at);
        b = out;
        break;
      }
    }
  }
  return b;
}

// ------------------------------------------------------------------ invariants

function checkSplit(s: DigitSet): void {
  assert.ok(Number.isSafeInteger(s.count) && s.count >= 1);
  assert.ok(s.rows >= 1 && s.cols >= 1 && s.rows * s.cols <= MAX_PIXELS_PER_IMAGE);
  assert.equal(s.labels.length, s.count);
  assert.equal(s.images.length, s.count * s.rows * s.cols);
  for (const l of s.labels) assert.ok(l <= 9, `label ${l}`);
}

function checkData(d: LoadedData): void {
  checkSplit(d.train);
  checkSplit(d.test);
  assert.equal(d.train.rows, d.test.rows);
  assert.equal(d.train.cols, d.test.cols);
  assert.ok(d.description.length > 0 && !d.description.includes('\n'));
}

/** The property itself: valid data or a DataError with a one-line message naming the file. */
function validOrDataError<T>(load: () => T, check: (value: T) => void): void {
  let value: T;
  try {
    value = load();
  } catch (e) {
    if (!(e instanceof DataError)) throw e;
    assert.ok(e.message.startsWith(`${e.file}: `), e.message);
    assert.ok(!e.message.includes('\n'), e.message);
    return;
  }
  check(value);
}

let n = 0;
function fresh(): string {
  const dir = join(tmp.dir, `r${n++}`);
  mkdirSync(dir);
  return dir;
}

function writeFile(bytes: Uint8Array, name: string): string {
  const file = join(fresh(), name);
  writeFileSync(file, bytes);
  return file;
}

const opts = { numRuns: RUNS };

// ------------------------------------------------------------------ properties

describe('data loaders never fail with anything but a DataError', { timeout: TIMEOUT_MS }, () => {
  for (const method of ['stored', 'deflate'] as const) {
    const base = npzBytes({ train, test }, method);
    it(`mutated ${method} npz files`, () => {
      fc.assert(
        fc.property(mutations, (ms) => {
          const file = writeFile(mutate(base, ms), 'm.npz');
          validOrDataError(() => loadNpz(file), checkData);
          validOrDataError(() => describeDataSource(file, { bundledPath: '' }), (info) => assert.ok(info.trainCount >= 1));
        }),
        opts,
      );
    });
  }

  it('mutated .npy members inside a valid zip', () => {
    const members = npzMembers({ train, test, labelsDescr: '<i8' });
    const names = Object.keys(members);
    fc.assert(
      fc.property(fc.constantFrom(...names), mutations, (name, ms) => {
        const file = writeFile(zipBytes({ ...members, [name]: mutate(members[name], ms) }, 'stored'), 'n.npz');
        validOrDataError(() => loadNpz(file), checkData);
      }),
      opts,
    );
  });

  it('mutated .npy arrays decoded directly', () => {
    const members = npzMembers({ train, test, imagesDescr: '<f4', labelsDescr: '>i2' });
    fc.assert(
      fc.property(mutations, fc.boolean(), (ms, images) => {
        const name = images ? 'x_train.npy' : 'y_train.npy';
        validOrDataError(
          () => {
            const arr = parseNpy('f.npz', name, mutate(members[name], ms));
            return images ? npyToImages('f.npz', name, arr).images.length : npyToLabels('f.npz', name, arr).length;
          },
          (len) => assert.ok(len >= 0),
        );
      }),
      opts,
    );
  });

  for (const gz of [false, true]) {
    const files = idxFolderFiles(train, test, { gz });
    const names = Object.keys(files);
    it(`mutated IDX folders (${gz ? 'gzipped' : 'raw'})`, () => {
      fc.assert(
        fc.property(fc.constantFrom(...names), mutations, (name, ms) => {
          const dir = fresh();
          for (const [f, bytes] of Object.entries(files)) writeFileSync(join(dir, f), f === name ? mutate(bytes, ms) : bytes);
          validOrDataError(() => loadIdx(dir), checkData);
          validOrDataError(() => describeDataSource(dir, { bundledPath: '' }), (info) => assert.ok(info.trainCount >= 1));
        }),
        opts,
      );
    });
  }

  it('mutated bundled files, compressed and not', () => {
    const payload = bundledPayload(train, test);
    const gz = gzipSync(payload);
    fc.assert(
      fc.property(mutations, fc.boolean(), (ms, mutateCompressed) => {
        const bytes = mutateCompressed ? mutate(gz, ms) : gzipSync(mutate(payload, ms));
        const file = writeFile(bytes, 'b.bin.gz');
        validOrDataError(() => loadBundled(file), checkData);
        validOrDataError(() => describeDataSource('mnist', { bundledPath: file }), (info) => assert.ok(info.trainCount >= 1));
      }),
      opts,
    );
  });

  it('random bytes, bare or behind a valid magic number', () => {
    const magics = [
      new Uint8Array(0),
      Uint8Array.from([0x50, 0x4b, 0x03, 0x04]),
      Uint8Array.from([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 0x01, 0x00]),
      Uint8Array.from([0, 0, 8, 3]),
      Uint8Array.from([0, 0, 8, 1]),
      Uint8Array.from([0x1f, 0x8b, 0x08, 0x00]),
      Uint8Array.from([0x49, 0x4c, 0x4d, 0x4e, 1, 0, 0, 0]),
    ];
    fc.assert(
      fc.property(fc.constantFrom(...magics), fc.uint8Array({ maxLength: 2048 }), (magic, rest) => {
        const bytes = new Uint8Array(magic.length + rest.length);
        bytes.set(magic);
        bytes.set(rest, magic.length);
        validOrDataError(() => loadNpz(writeFile(bytes, 'r.npz')), checkData);
        validOrDataError(() => loadBundled(writeFile(bytes, 'r.bin.gz')), checkData);
        validOrDataError(() => parseBundled('r', bytes), (d) => {
          checkSplit(d.train);
          checkSplit(d.test);
        });
        validOrDataError(() => parseIdx('r', bytes, 'images'), (a) => assert.equal(a.data.length, a.count * a.rows * a.cols));
        validOrDataError(() => parseIdx('r', bytes, 'labels'), (a) => assert.equal(a.data.length, a.count));
        validOrDataError(() => parseNpy('r', 'x.npy', bytes), (a) => assert.ok(a.data.length >= 0));
        const dir = fresh();
        for (const f of Object.keys(idxFolderFiles(train, test))) writeFileSync(join(dir, f), bytes);
        validOrDataError(() => loadIdx(dir), checkData);
      }),
      opts,
    );
  });

  it('any data-source text resolves or is refused with a DataError', () => {
    const home = fresh();
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.constantFrom('~', '~/', './', '..', '/', 'auto', 'x.npz', '~/.keras')), (spec) => {
        validOrDataError(() => resolveDataSource(spec, { homeDir: home, cwd: tmp.dir }), (r) => assert.ok(r.path.length > 0));
      }),
      opts,
    );
  });
});
