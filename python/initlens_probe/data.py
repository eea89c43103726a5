"""The digits InitLens ships (media/data/mnist-10k.bin.gz, written by scripts/buildMnist.mjs).

Layout before gzip (integers u32 little-endian; src/probe/data/bundled.ts reads the same):
  'ILMN' | version=1 | trainCount | testCount | rows | cols
  trainLabels u8[trainCount] | testLabels u8[testCount]
  trainImages u8[trainCount*rows*cols] | testImages u8[testCount*rows*cols]
"""
import gzip
import struct

import numpy as np

HEADER_BYTES = 24


class DataError(Exception):
    pass


def load_bundled(path):
    """(train_x, train_y, test_x, test_y, rows, cols): images u8 [n, rows*cols], labels u8 [n]."""
    try:
        with gzip.open(path, 'rb') as f:
            raw = f.read()
    except OSError as err:
        raise DataError('cannot read the bundled digits %s: %s' % (path, err))
    if len(raw) < HEADER_BYTES:
        raise DataError('%s: header needs %d bytes, the data holds %d' % (path, HEADER_BYTES, len(raw)))
    magic, version, n_train, n_test, rows, cols = struct.unpack_from('<4s5I', raw, 0)
    if magic != b'ILMN' or version != 1:
        raise DataError('%s is not an InitLens data file (version 1)' % path)
    px = rows * cols
    total = n_train + n_test
    if len(raw) != HEADER_BYTES + total + total * px:
        raise DataError('%s: header promises %d digits of %dx%d, the file size does not match' % (path, total, rows, cols))
    buf = np.frombuffer(raw, np.uint8, offset=HEADER_BYTES)
    ytr, yte = buf[:n_train], buf[n_train:total]
    xtr = buf[total:total + n_train * px].reshape(n_train, px)
    xte = buf[total + n_train * px:total + total * px].reshape(n_test, px)
    return xtr, ytr, xte, yte, rows, cols
