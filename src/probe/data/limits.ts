/**
 * Ceilings the loaders enforce before allocating anything a file's header asks for. Real
 * MNIST-like sets sit far below them: Keras' mnist.npz is 11 MiB on disk and 52 MiB inflated;
 * Fashion-MNIST stored as float64 is 376 MiB inflated.
 */
const MiB = 1024 * 1024;

/** Largest single file read from disk (npz, IDX member, bundled). */
export const MAX_FILE_BYTES = 512 * MiB;

/**
 * Largest output of one gzip file or one zip entry. Decompression stops as soon as it is
 * passed, so a zip or gzip bomb costs at most this much memory and time.
 */
export const MAX_INFLATED_BYTES = 512 * MiB;

/** An npz holds a handful of arrays; thousands of entries means it is not one. */
export const MAX_ZIP_ENTRIES = 1024;

/** 64×64 pixels: dense probes on anything larger are not what InitLens is for. */
export const MAX_PIXELS_PER_IMAGE = 4096;
