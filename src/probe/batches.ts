/**
 * The training batches of a probe: a Fisher–Yates shuffle of the training set drawn from `random`,
 * cut into consecutive batches, reshuffled when a batch would run past its end (the dense path,
 * the layer graph and python/initlens_probe draw the same order for the same seed).
 */
export function batchSampler(count: number, batch: number, random: () => number): () => Int32Array {
  let order = new Int32Array(0);
  let cursor = 0;
  return () => {
    if (cursor + batch > order.length) {
      order = new Int32Array(count);
      for (let k = 0; k < order.length; k++) order[k] = k;
      for (let k = order.length - 1; k > 0; k--) {
        const j = Math.floor(random() * (k + 1));
        [order[k], order[j]] = [order[j], order[k]];
      }
      cursor = 0;
    }
    cursor += batch;
    return order.subarray(cursor - batch, cursor);
  };
}
