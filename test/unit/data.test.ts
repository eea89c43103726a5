import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { closeSync, existsSync, ftruncateSync, mkdirSync, openSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import { zipSync } from 'fflate';
import { loadBundled, parseBundled } from '../../src/probe/data/bundled';
import { DataError } from '../../src/probe/data/dataError';
import type { DataErrorCode } from '../../src/probe/data/dataError';
import { describeDataSource } from '../../src/probe/data/describeData';
import { loadIdx } from '../../src/probe/data/idx';
import { kerasMnistPath, loadData, resolveDataSource } from '../../src/probe/data/loadData';
import { MAX_FILE_BYTES } from '../../src/probe/data/limits';
import { loadNpz } from '../../src/probe/data/npz';
import { readZipEntries } from '../../src/probe/data/zipEntries';
import type { DigitSet, LoadedData } from '../../src/probe/data/types';
import {
  IDX_NAMES,
  NUMPY_SAVEZ,
  NUMPY_SAVEZ_COMPRESSED,
  bundledPayload,
  idxFolderFiles,
  idxImagesBytes,
  idxLabelsBytes,
  makeDigits,
  npyBytes,
  npyWithHeader,
  npzBytes,
  npzMembers,
  numpyFixtureDigits,
  tempDir,
  typedBytes,
  zipBytes,
} from './dataFixtures';
import type { Digits } from './dataFixtures';

const root = resolve(__dirname, '../..');
const bundledPath = join(root, 'media/data/mnist-10k.bin.gz');

const tmp = tempDir();
after(tmp.cleanup);

let fileCounter = 0;
/** Writes bytes to a fresh file in the temp dir and returns its path. */
function put(bytes: Uint8Array, name = 'data.bin'): string {
  const dir = join(tmp.dir, `f${fileCounter++}`);
  mkdirSync(dir);
  const file = join(dir, name);
  writeFileSync(file, bytes);
  return file;
}

/** Writes a folder of files and returns its path. */
function putFolder(files: Record<string, Uint8Array>): string {
  const dir = join(tmp.dir, `d${fileCounter++}`);
  mkdirSync(dir);
  for (const [name, bytes] of Object.entries(files)) writeFileSync(join(dir, name), bytes);
  return dir;
}

/** Asserts `fn` throws a DataError with this code, naming `file` in a one-line message. */
function throwsData(fn: () => unknown, code: DataErrorCode, file: string, mentions: (string | RegExp)[] = []): DataError {
  let caught: unknown;
  try {
    fn();
  } catch (e) {
    caught = e;
  }
  assert.ok(caught instanceof DataError, `expected a DataError, got ${caught instanceof Error ? `${caught.name}: ${caught.message}` : String(caught)}`);
  assert.equal(caught.code, code, `code for: ${caught.message}`);
  assert.equal(caught.file, file);
  assert.ok(caught.message.startsWith(`${file}: `), `message names the file: ${caught.message}`);
  assert.ok(!caught.message.includes('\n'), 'message is one line');
  assert.ok(!/\bat .+:\d+:\d+/.test(caught.message), 'no stack in the message');
  for (const m of mentions) {
    if (typeof m === 'string') assert.ok(caught.message.includes(m), `"${caught.message}" mentions ${m}`);
    else assert.match(caught.message, m);
  }
  return caught;
}

function assertSameSplit(actual: DigitSet, expected: Digits): void {
  assert.equal(actual.count, expected.count);
  assert.equal(actual.rows, expected.rows);
  assert.equal(actual.cols, expected.cols);
  assert.deepEqual(actual.labels, expected.labels);
  assert.deepEqual(actual.images, expected.images);
}

function assertSameData(actual: LoadedData, train: Digits, test: Digits): void {
  assertSameSplit(actual.train, train);
  assertSameSplit(actual.test, test);
}

// ------------------------------------------------------------------------------ bundled

describe('bundled MNIST sample', () => {
  let data: LoadedData;

  before(() => {
    if (!existsSync(bundledPath)) {
      const r = spawnSync(process.execPath, [join(root, 'scripts/buildMnist.mjs')], { encoding: 'utf8' });
      assert.equal(r.status, 0, r.stderr);
    }
    data = loadData('mnist', { bundledPath });
  });

  it('holds the 10,000 real digits split about 8,000 / 2,000', () => {
    assert.equal(data.kind, 'bundled');
    assert.equal(data.source, 'bundled');
    assert.equal(data.train.count + data.test.count, 10_000);
    assert.ok(Math.abs(data.train.count - 8000) <= 20, `train ${data.train.count}`);
    assert.equal(data.train.count, 8000);
    assert.equal(data.test.count, 2000);
    for (const s of [data.train, data.test]) {
      assert.equal(s.rows, 28);
      assert.equal(s.cols, 28);
      assert.equal(s.labels.length, s.count);
      assert.equal(s.images.length, s.count * 784);
    }
    assert.equal(data.description, 'bundled MNIST sample (10,000 real digits: 8,000 train / 2,000 held out)');
  });

  it('has every digit in both splits, in roughly the same proportions', () => {
    for (const s of [data.train, data.test]) {
      const counts = new Array<number>(10).fill(0);
      for (const l of s.labels) counts[l] += 1;
      assert.equal(counts.reduce((a, b) => a + b, 0), s.count);
      for (const c of counts) assert.ok(c > s.count * 0.07 && c < s.count * 0.14, `digit share ${c}/${s.count}`);
    }
  });

  it('looks like real MNIST: pixels span 0..255, mean near 33/255', () => {
    let min = 255;
    let max = 0;
    let sum = 0;
    const all = [data.train.images, data.test.images];
    let n = 0;
    for (const images of all) {
      for (const v of images) {
        if (v < min) min = v;
        if (v > max) max = v;
        sum += v;
      }
      n += images.length;
    }
    assert.equal(min, 0);
    assert.equal(max, 255);
    const mean = sum / n;
    assert.ok(mean > 30 && mean < 37, `mean pixel ${mean.toFixed(2)} (MNIST: 33.3)`);
  });

  it('is shuffled: consecutive samples mix digits', () => {
    for (const s of [data.train, data.test]) {
      const first = new Set(s.labels.subarray(0, 50));
      assert.ok(first.size >= 8, `only ${first.size} digits among the first 50`);
    }
  });

  it('is described from its header alone', () => {
    const info = describeDataSource('mnist', { bundledPath });
    assert.deepEqual(
      { ...info },
      {
        kind: 'bundled',
        path: bundledPath,
        description: data.description,
        bytesOnDisk: statSync(bundledPath).size,
        trainCount: 8000,
        testCount: 2000,
        rows: 28,
        cols: 28,
      },
    );
  });

  it('is rebuilt identically, and not rebuilt when up to date', () => {
    const out = join(tmp.dir, 'rebuilt', 'mnist.bin.gz');
    const script = join(root, 'scripts/buildMnist.mjs');
    const first = spawnSync(process.execPath, [script, '--out', out], { encoding: 'utf8' });
    assert.equal(first.status, 0, first.stderr);
    assert.match(first.stdout, /8000 train \/ 2000 test/);
    // Same payload whatever zlib compressed it; same file bytes on this machine.
    assert.deepEqual(new Uint8Array(gunzipSync(readFileSync(out))), new Uint8Array(gunzipSync(readFileSync(bundledPath))));
    const mtime = statSync(out).mtimeMs;
    const second = spawnSync(process.execPath, [script, '--out', out], { encoding: 'utf8' });
    assert.equal(second.status, 0, second.stderr);
    assert.equal(second.stdout, '');
    assert.equal(statSync(out).mtimeMs, mtime);
  });
});

describe('bundled format errors', () => {
  const train = makeDigits(12, 28, 28, 1);
  const test = makeDigits(4, 28, 28, 2);
  const payload = bundledPayload(train, test);

  it('reads back exactly what was written', () => {
    const file = put(gzipSync(payload), 'b.bin.gz');
    assertSameData(loadBundled(file), train, test);
  });

  it('missing file → not-found, pointing at the build', () => {
    const file = join(tmp.dir, 'nowhere', 'mnist-10k.bin.gz');
    throwsData(() => loadData('mnist', { bundledPath: file }), 'not-found', file, ['npm run build']);
  });

  it('wrong magic → bad-magic', () => {
    const bad = payload.slice();
    bad.set(Buffer.from('XXXX'));
    const file = put(gzipSync(bad));
    throwsData(() => loadBundled(file), 'bad-magic', file, ['ILMN']);
  });

  it('unknown version → bad-magic', () => {
    const file = put(gzipSync(bundledPayload(train, test, 7)));
    throwsData(() => loadBundled(file), 'bad-magic', file, ['version 7']);
  });

  it('truncated payload → truncated; extra bytes → corrupt', () => {
    const short = put(gzipSync(payload.subarray(0, payload.length - 100)));
    throwsData(() => loadBundled(short), 'truncated', short);
    const long = put(gzipSync(Buffer.concat([payload, Buffer.alloc(3)])));
    throwsData(() => loadBundled(long), 'corrupt', long, ['3 unexpected bytes']);
  });

  it('header claiming 10^9 digits in a small file → truncated, nothing allocated', () => {
    const bad = payload.slice();
    new DataView(bad.buffer).setUint32(8, 1_000_000_000, true);
    const file = put(gzipSync(bad));
    const t = Date.now();
    throwsData(() => loadBundled(file), 'truncated', file);
    assert.ok(Date.now() - t < 1000);
  });

  it('absurd image size → bad-shape', () => {
    const bad = payload.slice();
    new DataView(bad.buffer).setUint32(16, 100_000, true);
    throwsData(() => parseBundled('x', bad), 'bad-shape', 'x');
    new DataView(bad.buffer).setUint32(16, 0, true);
    throwsData(() => parseBundled('x', bad), 'bad-shape', 'x');
  });

  it('label out of range → corrupt', () => {
    const bad = payload.slice();
    bad[24 + 3] = 10;
    const file = put(gzipSync(bad));
    throwsData(() => loadBundled(file), 'corrupt', file, ['label 10 at index 3']);
  });

  it('not gzip → bad-magic; corrupt gzip → corrupt; cut gzip → truncated', () => {
    const raw = put(payload);
    throwsData(() => loadBundled(raw), 'bad-magic', raw, ['gzip']);
    const gz = gzipSync(payload);
    const flipped = Buffer.from(gz);
    for (let i = 20; i < 60; i++) flipped[i] ^= 0x5a;
    const corrupt = put(flipped);
    throwsData(() => loadBundled(corrupt), 'corrupt', corrupt);
    const cut = put(gz.subarray(0, gz.length >> 1));
    throwsData(() => loadBundled(cut), 'truncated', cut);
  });
});

// ------------------------------------------------------------------------------ npz

describe('npz (Keras mnist.npz layout)', () => {
  const train = makeDigits(40, 28, 28, 3);
  const test = makeDigits(15, 28, 28, 4);

  it('reads files numpy itself wrote (savez and savez_compressed)', () => {
    const { train: tr, test: te } = numpyFixtureDigits();
    for (const bytes of [NUMPY_SAVEZ, NUMPY_SAVEZ_COMPRESSED]) {
      const file = put(bytes, 'numpy.npz');
      const data = loadNpz(file);
      assertSameData(data, tr, te);
      assert.equal(data.kind, 'npz');
      assert.equal(data.source, file);
      assert.equal(data.description, 'numpy.npz (npz: 3 train / 2 test, 4×5)');
    }
  });

  it('our .npy writer matches the members numpy wrote, byte for byte', async () => {
    const { unzipSync } = await import('fflate');
    const { train: tr, test: te } = numpyFixtureDigits();
    const ours = npzMembers({ train: tr, test: te });
    for (const bytes of [NUMPY_SAVEZ, NUMPY_SAVEZ_COMPRESSED]) {
      const theirs = unzipSync(new Uint8Array(bytes));
      for (const [name, b] of Object.entries(ours)) assert.deepEqual(theirs[name], b, name);
    }
    // v1.0 headers are padded with spaces to a 64-byte boundary and end in '\n'.
    const x = ours['x_train.npy'];
    const headerLen = x[8] | (x[9] << 8);
    assert.equal((10 + headerLen) % 64, 0);
    assert.equal(x[10 + headerLen - 1], 0x0a);
  });

  for (const method of ['stored', 'deflate'] as const) {
    it(`reads back a ${method} npz exactly`, () => {
      const file = put(npzBytes({ train, test }, method), 'mnist.npz');
      const data = loadData(file, { bundledPath });
      assertSameData(data, train, test);
      assert.equal(data.description, 'mnist.npz (npz: 40 train / 15 test, 28×28)');
    });
  }

  it('accepts (N, 784), (N, 28, 28, 1) and any labels integer dtype', () => {
    const flat = put(npzBytes({ train, test, layout: 'flat', labelsDescr: '<i4' }, 'deflate'), 'flat.npz');
    assertSameData(loadNpz(flat), train, test);
    for (const labelsDescr of ['|u1', '<u8', '>i4', '<i2', '|i1']) {
      const file = put(npzBytes({ train, test, labelsDescr }, 'stored'), 'l.npz');
      assertSameData(loadNpz(file), train, test);
    }
    const m = npzMembers({ train, test });
    m['x_train.npy'] = npyBytes({ descr: '|u1', shape: [40, 28, 28, 1], data: train.images });
    assertSameData(loadNpz(put(zipBytes(m, 'stored'), 'c.npz')), train, test);
  });

  it('converts float images in [0, 1] and [0, 255], either byte order', () => {
    const m = npzMembers({ train, test });
    m['x_train.npy'] = npyBytes({ descr: '<f4', shape: [40, 28, 28], data: typedBytes('<f4', Array.from(train.images, (v) => v / 255)) });
    m['x_test.npy'] = npyBytes({ descr: '>f8', shape: [15, 28, 28], data: typedBytes('>f8', Array.from(test.images)) });
    assertSameData(loadNpz(put(zipBytes(m, 'deflate'), 'f.npz')), train, test);
  });

  it('reads .npy format versions 2.0 and 3.0', () => {
    for (const version of [2, 3] as const) {
      const m = npzMembers({ train, test });
      m['x_train.npy'] = npyBytes({ descr: '|u1', shape: [40, 28, 28], data: train.images }, version);
      m['y_test.npy'] = npyBytes({ descr: '<i8', shape: [15], data: typedBytes('<i8', test.labels) }, version);
      assertSameData(loadNpz(put(zipBytes(m, 'stored'), 'v.npz')), train, test);
    }
  });

  it('any image size within the limits (Fashion-style 28×28, small 4×5, 64×64)', () => {
    for (const [rows, cols] of [[4, 5], [64, 64]]) {
      const tr = makeDigits(11, rows, cols, 5);
      const te = makeDigits(3, rows, cols, 6);
      assertSameData(loadNpz(put(npzBytes({ train: tr, test: te }, 'deflate'), 's.npz')), tr, te);
    }
  });

  describe('refuses broken archives with the right code', () => {
    const withMember = (name: string, bytes: Uint8Array, method: 'stored' | 'deflate' = 'stored'): string => {
      const m = npzMembers({ train, test });
      m[name] = bytes;
      return put(zipBytes(m, method), 'broken.npz');
    };

    it('fortran_order True → bad-shape', () => {
      const file = withMember('x_train.npy', npyBytes({ descr: '|u1', shape: [40, 28, 28], data: train.images, fortranOrder: true }));
      throwsData(() => loadNpz(file), 'bad-shape', file, ['x_train.npy', 'Fortran']);
    });

    it('unsupported dtypes → bad-dtype', () => {
      const strings = withMember('x_train.npy', npyBytes({ descr: '<U5', shape: [40, 28, 28], data: new Uint8Array(40 * 784 * 20) }));
      throwsData(() => loadNpz(strings), 'bad-dtype', strings, ["'<U5'", 'x_train.npy']);
      const floatLabels = withMember('y_train.npy', npyBytes({ descr: '<f4', shape: [40], data: typedBytes('<f4', train.labels) }));
      throwsData(() => loadNpz(floatLabels), 'bad-dtype', floatLabels, ['y_train.npy', 'integers']);
      const recBytes = npyWithHeader("{'descr': [('a', '<i4')], 'fortran_order': False, 'shape': (15,), }", new Uint8Array(60));
      const file = withMember('y_test.npy', recBytes);
      throwsData(() => loadNpz(file), 'bad-dtype', file, ['structured']);
    });

    it('bad shapes → bad-shape', () => {
      const notSquare = withMember('x_train.npy', npyBytes({ descr: '|u1', shape: [40, 780], data: new Uint8Array(40 * 780) }));
      throwsData(() => loadNpz(notSquare), 'bad-shape', notSquare, ['780']);
      const huge = withMember('x_train.npy', npyBytes({ descr: '|u1', shape: [1, 100, 100], data: new Uint8Array(10_000) }));
      throwsData(() => loadNpz(huge), 'bad-shape', huge, ['100×100']);
      const zeroRows = withMember('x_train.npy', npyBytes({ descr: '|u1', shape: [40, 0, 28], data: new Uint8Array(0) }));
      throwsData(() => loadNpz(zeroRows), 'bad-shape', zeroRows);
      const oneHot = withMember('y_train.npy', npyBytes({ descr: '|u1', shape: [40, 10], data: new Uint8Array(400) }));
      throwsData(() => loadNpz(oneHot), 'bad-shape', oneHot, ['one-hot']);
      const testSize = withMember('x_test.npy', npyBytes({ descr: '|u1', shape: [15, 20, 20], data: new Uint8Array(15 * 400) }));
      throwsData(() => loadNpz(testSize), 'bad-shape', testSize, ['20×20', '28×28']);
    });

    it('labels outside 0..9 → corrupt', () => {
      const ten = withMember('y_train.npy', npyBytes({ descr: '<i8', shape: [40], data: typedBytes('<i8', [...train.labels.subarray(0, 39), 10]) }));
      throwsData(() => loadNpz(ten), 'corrupt', ten, ['label 10 at index 39']);
      const negative = withMember('y_test.npy', npyBytes({ descr: '<i8', shape: [15], data: typedBytes('<i8', [-1, ...test.labels.subarray(1)]) }));
      throwsData(() => loadNpz(negative), 'corrupt', negative, ['label -1']);
    });

    it('pixel floats outside [0, 255] → corrupt', () => {
      const file = withMember('x_test.npy', npyBytes({ descr: '<f4', shape: [15, 28, 28], data: typedBytes('<f4', Array.from(test.images, (v, i) => (i === 7 ? 300 : v))) }));
      throwsData(() => loadNpz(file), 'corrupt', file, ['300']);
    });

    it('x and y counts that disagree → count-mismatch', () => {
      const file = withMember('y_train.npy', npyBytes({ descr: '<i8', shape: [39], data: typedBytes('<i8', train.labels.subarray(0, 39)) }));
      throwsData(() => loadNpz(file), 'count-mismatch', file, ['x_train.npy holds 40 images', 'y_train.npy holds 39 labels']);
    });

    it('header claiming 10^9 images in a small entry → truncated, nothing allocated', () => {
      const file = withMember('x_train.npy', npyBytes({ descr: '|u1', shape: [1_000_000_000, 28, 28], data: train.images }), 'deflate');
      const before = process.memoryUsage().arrayBuffers;
      const t = Date.now();
      throwsData(() => loadNpz(file), 'truncated', file, ['x_train.npy']);
      assert.ok(Date.now() - t < 1000);
      assert.ok(process.memoryUsage().arrayBuffers - before < 64 * 1024 * 1024);
    });

    it('.npy without its magic → bad-magic', () => {
      const file = withMember('x_train.npy', new TextEncoder().encode('this is not an array at all, just text'));
      throwsData(() => loadNpz(file), 'bad-magic', file, ['x_train.npy']);
    });

    it('missing member → not-found naming it', () => {
      const m = npzMembers({ train, test });
      delete m['y_test.npy'];
      const file = put(zipBytes(m, 'deflate'), 'three.npz');
      throwsData(() => loadNpz(file), 'not-found', file, ['y_test.npy']);
    });

    it('missing file → not-found', () => {
      const file = join(tmp.dir, 'absent', 'mnist.npz');
      throwsData(() => loadData(file, { bundledPath }), 'not-found', file);
    });

    it('not a zip → bad-magic; cut short → truncated; scrambled → corrupt', () => {
      const text = put(new TextEncoder().encode('hello, I am not a zip archive'), 'text.npz');
      throwsData(() => loadNpz(text), 'bad-magic', text, ['zip']);
      const good = npzBytes({ train, test }, 'deflate');
      const cut = put(good.subarray(0, Math.floor(good.length * 0.6)), 'cut.npz');
      throwsData(() => loadNpz(cut), 'truncated', cut);
      const scrambled = good.slice();
      // The first entry's deflate data starts after its 30-byte header and 11-byte name.
      for (let i = 60; i < 400; i++) scrambled[i] = (scrambled[i] * 7 + 13) & 0xff;
      const corrupt = put(scrambled, 'corrupt.npz');
      throwsData(() => loadNpz(corrupt), 'corrupt', corrupt);
    });

    it('thousands of entries → corrupt, not a loop over all of them', () => {
      const many: Record<string, Uint8Array> = npzMembers({ train, test });
      for (let i = 0; i < 1100; i++) many[`pad${i}.npy`] = new Uint8Array(0);
      const file = put(zipBytes(many, 'stored'), 'many.npz');
      throwsData(() => loadNpz(file), 'corrupt', file, ['entries']);
    });

    it('an entry declaring a huge size → too-large before any inflation', () => {
      const zip = npzBytes({ train, test }, 'deflate');
      // Local header of the first entry: uncompressed size at offset 22.
      new DataView(zip.buffer).setUint32(22, 0xf0000000, true);
      const file = put(zip, 'declared.npz');
      throwsData(() => loadNpz(file), 'too-large', file, ['x_train.npy']);
    });

    it('a zip bomb lying about its size is stopped at the limit', () => {
      const zeros = new Uint8Array(32 * 1024 * 1024);
      const zip = zipSync({ 'x_train.npy': zeros }, { level: 1 });
      const view = new DataView(zip.buffer);
      view.setUint32(22, 1000, true); // local header: claims 1,000 bytes
      for (let i = zip.length - 22; i > 0; i--) {
        if (view.getUint32(i, true) === 0x02014b50) {
          view.setUint32(i + 24, 1000, true); // central directory, same claim
          break;
        }
      }
      const t = Date.now();
      throwsData(() => readZipEntries('bomb.npz', zip, ['x_train.npy'], { maxInflatedBytes: 1024 * 1024 }), 'too-large', 'bomb.npz');
      assert.ok(Date.now() - t < 2000, `took ${Date.now() - t} ms`);
      assert.ok(zip.length < 1024 * 1024, 'the fixture really is a bomb: 32 MiB in a small file');
    });

    it('a file over the size limit → too-large without reading it', () => {
      const file = join(tmp.dir, 'sparse.npz');
      const fd = openSync(file, 'w');
      ftruncateSync(fd, MAX_FILE_BYTES + 1);
      closeSync(fd);
      throwsData(() => loadNpz(file), 'too-large', file, ['512.0 MiB']);
    });
  });
});

// ------------------------------------------------------------------------------ IDX

describe('IDX folders (MNIST / Fashion-MNIST distribution files)', () => {
  const train = makeDigits(30, 28, 28, 7);
  const test = makeDigits(12, 28, 28, 8);

  it('reads raw files back exactly', () => {
    const dir = putFolder(idxFolderFiles(train, test));
    const data = loadData(dir, { bundledPath });
    assertSameData(data, train, test);
    assert.equal(data.kind, 'idx');
    assert.equal(data.source, dir);
    assert.match(data.description, /^IDX folder d\d+ \(30 train \/ 12 test, 28×28\)$/);
  });

  it('reads .gz files and the dotted names back exactly', () => {
    assertSameData(loadIdx(putFolder(idxFolderFiles(train, test, { gz: true }))), train, test);
    assertSameData(loadIdx(putFolder(idxFolderFiles(train, test, { dotted: true }))), train, test);
    assertSameData(loadIdx(putFolder(idxFolderFiles(train, test, { dotted: true, gz: true }))), train, test);
  });

  it('describes a folder from the headers', () => {
    const files = idxFolderFiles(train, test, { gz: true });
    const dir = putFolder(files);
    const info = describeDataSource(dir, { bundledPath });
    assert.equal(info.kind, 'idx');
    assert.equal(info.trainCount, 30);
    assert.equal(info.testCount, 12);
    assert.equal(info.rows, 28);
    assert.equal(info.bytesOnDisk, Object.values(files).reduce((s, b) => s + b.length, 0));
  });

  const brokenFolder = (role: keyof typeof IDX_NAMES, bytes: Uint8Array, gz = false): { dir: string; file: string } => {
    const files = idxFolderFiles(train, test);
    delete files[IDX_NAMES[role]];
    const name = gz ? `${IDX_NAMES[role]}.gz` : IDX_NAMES[role];
    files[name] = bytes;
    const dir = putFolder(files);
    return { dir, file: join(dir, name) };
  };

  it('wrong magic → bad-magic with both numbers', () => {
    const { dir, file } = brokenFolder('trainImages', idxImagesBytes(train, 0x00000802));
    const e = throwsData(() => loadIdx(dir), 'bad-magic', file);
    assert.equal(e.message, `${file}: bad magic number 0x00000802, expected 0x00000803 (IDX images)`);
    const swapped = brokenFolder('testLabels', idxImagesBytes(test));
    throwsData(() => loadIdx(swapped.dir), 'bad-magic', swapped.file, ['expected 0x00000801 (IDX labels)']);
  });

  it('non-byte IDX data → bad-dtype', () => {
    const { dir, file } = brokenFolder('trainImages', idxImagesBytes(train, 0x00000d03));
    throwsData(() => loadIdx(dir), 'bad-dtype', file, ['float32']);
  });

  it('truncated data → truncated (raw and gz)', () => {
    const short = idxImagesBytes(train).subarray(0, 16 + 784 * 5);
    const raw = brokenFolder('trainImages', short);
    throwsData(() => loadIdx(raw.dir), 'truncated', raw.file, ['30 images of 28×28']);
    const gz = brokenFolder('trainImages', gzipSync(short), true);
    throwsData(() => loadIdx(gz.dir), 'truncated', gz.file);
    const header = brokenFolder('testLabels', new Uint8Array([0, 0, 8, 1, 0]));
    throwsData(() => loadIdx(header.dir), 'truncated', header.file);
  });

  it('header claiming 10^9 images in a small file → truncated, nothing allocated', () => {
    const bytes = idxImagesBytes(train);
    new DataView(bytes.buffer).setUint32(4, 1_000_000_000, false);
    for (const gz of [false, true]) {
      const { dir, file } = brokenFolder('trainImages', gz ? gzipSync(bytes) : bytes, gz);
      const before = process.memoryUsage().arrayBuffers;
      const t = Date.now();
      throwsData(() => loadIdx(dir), 'truncated', file, ['1,000,000,000 images']);
      assert.ok(Date.now() - t < 1000);
      assert.ok(process.memoryUsage().arrayBuffers - before < 64 * 1024 * 1024);
    }
  });

  it('extra bytes → corrupt', () => {
    const { dir, file } = brokenFolder('trainLabels', Buffer.concat([idxLabelsBytes(train.labels), Buffer.alloc(2)]));
    throwsData(() => loadIdx(dir), 'corrupt', file, ['2 unexpected bytes']);
  });

  it('image and label counts that disagree → count-mismatch naming both files', () => {
    const { dir, file } = brokenFolder('testLabels', idxLabelsBytes(test.labels.subarray(0, 11)));
    throwsData(() => loadIdx(dir), 'count-mismatch', file, ['t10k-images-idx3-ubyte holds 12 images', 't10k-labels-idx1-ubyte holds 11 labels']);
  });

  it('bad shapes → bad-shape', () => {
    const wide = brokenFolder('trainImages', idxImagesBytes(makeDigits(2, 100, 100)));
    throwsData(() => loadIdx(wide.dir), 'bad-shape', wide.file, ['100×100']);
    const zero = brokenFolder('trainImages', idxImagesBytes({ ...train, rows: 0, images: new Uint8Array(0) }));
    throwsData(() => loadIdx(zero.dir), 'bad-shape', zero.file);
    const small = makeDigits(12, 20, 20, 9);
    const mixed = brokenFolder('testImages', idxImagesBytes(small));
    throwsData(() => loadIdx(mixed.dir), 'bad-shape', mixed.file, ['20×20', '28×28']);
  });

  it('labels outside 0..9 → corrupt, naming the labels file', () => {
    const labels = test.labels.slice();
    labels[5] = 200;
    const { dir, file } = brokenFolder('testLabels', idxLabelsBytes(labels));
    throwsData(() => loadIdx(dir), 'corrupt', file, ['label 200 at index 5']);
  });

  it('corrupt gzip → corrupt; cut gzip → truncated', () => {
    const gz = gzipSync(idxImagesBytes(train));
    const flipped = Buffer.from(gz);
    for (let i = 30; i < 80; i++) flipped[i] ^= 0xa5;
    const corrupt = brokenFolder('trainImages', flipped, true);
    throwsData(() => loadIdx(corrupt.dir), 'corrupt', corrupt.file, ['gzip']);
    const cut = brokenFolder('trainImages', gz.subarray(0, gz.length - 200), true);
    throwsData(() => loadIdx(cut.dir), 'truncated', cut.file);
  });

  it('missing member → not-found naming it; missing folder → not-found', () => {
    const files = idxFolderFiles(train, test);
    delete files[IDX_NAMES.trainLabels];
    const dir = putFolder(files);
    throwsData(() => loadIdx(dir), 'not-found', dir, ['train-labels-idx1-ubyte', 'train-labels.idx1-ubyte.gz']);
    const gone = join(tmp.dir, 'no-such-folder');
    throwsData(() => loadIdx(gone), 'not-found', gone);
  });
});

// ------------------------------------------------------------------------------ resolve

describe('resolveDataSource', () => {
  const home = join(tmp.dir, 'home');
  const work = join(tmp.dir, 'work');
  mkdirSync(home);
  mkdirSync(join(work, 'sets', 'fashion'), { recursive: true });
  writeFileSync(join(work, 'sets', 'notes.txt'), 'hello');
  writeFileSync(join(work, 'sets', 'fashion', 'train-images-idx3-ubyte.gz'), new Uint8Array(1));
  const opts = { homeDir: home, cwd: work };

  it("'mnist' and 'bundled' mean the bundled sample, in any case", () => {
    for (const spec of ['mnist', 'bundled', ' MNIST ', 'Bundled']) {
      assert.deepEqual(resolveDataSource(spec, opts), { kind: 'bundled', path: 'bundled' });
    }
  });

  it("'auto' picks the Keras cache when present, else the bundled sample", () => {
    for (const spec of [undefined, '', 'auto', 'AUTO']) {
      assert.deepEqual(resolveDataSource(spec, opts), { kind: 'bundled', path: 'bundled' });
    }
    const keras = join(home, '.keras', 'datasets', 'mnist.npz');
    assert.equal(kerasMnistPath(opts), keras);
    mkdirSync(dirname(keras), { recursive: true });
    const train = makeDigits(10, 28, 28, 11);
    const test = makeDigits(10, 28, 28, 12);
    writeFileSync(keras, npzBytes({ train, test }, 'deflate'));
    try {
      for (const spec of [undefined, 'auto']) assert.deepEqual(resolveDataSource(spec, opts), { kind: 'npz', path: keras });
      const data = loadData('auto', { ...opts, bundledPath });
      assertSameData(data, train, test);
      assert.equal(data.source, keras);
      assert.equal(describeDataSource(undefined, { ...opts, bundledPath }).description, 'mnist.npz (npz: 10 train / 10 test, 28×28)');
    } finally {
      // An interrupted download leaves an empty file: still picked, then refused as truncated.
      writeFileSync(keras, '');
    }
    assert.deepEqual(resolveDataSource('auto', opts), { kind: 'npz', path: keras });
    throwsData(() => loadData('auto', { ...opts, bundledPath }), 'truncated', keras);
  });

  it('expands ~ and resolves relative paths against cwd', () => {
    assert.deepEqual(resolveDataSource('~/data/mnist.npz', opts), { kind: 'npz', path: join(home, 'data', 'mnist.npz') });
    assert.deepEqual(resolveDataSource('sets/mine.NPZ', opts), { kind: 'npz', path: join(work, 'sets', 'mine.NPZ') });
    assert.deepEqual(resolveDataSource('./sets/../sets/fashion', opts), { kind: 'idx', path: join(work, 'sets', 'fashion') });
    assert.deepEqual(resolveDataSource(join(work, 'sets'), opts), { kind: 'idx', path: join(work, 'sets') });
    assert.deepEqual(resolveDataSource('~', opts), { kind: 'idx', path: home });
  });

  it('a picked IDX member stands for its folder', () => {
    assert.deepEqual(resolveDataSource('sets/fashion/train-images-idx3-ubyte.gz', opts), { kind: 'idx', path: join(work, 'sets', 'fashion') });
  });

  it('refuses what it cannot use with a one-line reason', () => {
    throwsData(() => resolveDataSource('sets/notes.txt', opts), 'bad-source', join(work, 'sets', 'notes.txt'), ['.npz']);
    throwsData(() => resolveDataSource('fashion', opts), 'bad-source', 'fashion', ["'mnist'", '.npz']);
    throwsData(() => resolveDataSource('./nope', opts), 'not-found', join(work, 'nope'));
    throwsData(() => resolveDataSource('~/nope/', opts), 'not-found', join(home, 'nope'));
  });
});
