import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../../plugin/nn/backend.js';
import { tf } from '../../plugin/nn/tf.js';
import {
  agreementKernelParts,
  collectLayerKernels,
  layerwiseNwot,
  wholeNetworkNwot,
} from '../../plugin/proxies/nwot.js';
import { getProxy } from '../../plugin/proxies/registry.js';
import { batchOf, detByCofactors, handNetwork, identity } from './hand-network.js';

beforeAll(async () => {
  await initBackend('wasm');
});

// Binary codes chosen by hand (1 ↔ a positive entry, 0 ↔ a negative or zero entry):
//   s0: 1 1 0 0 1
//   s1: 1 0 1 0 1
//   s2: 0 0 0 1 1
//   s3: 1 1 1 1 0
const X = [
  [0.7, 2, -1, -0.3, 1],
  [1.5, 0, 0.2, -2, 0.4],
  [-1, -0.5, -0.1, 3, 0.9],
  [0.3, 1, 4, 0.6, -1.2],
];
// Agreement counts over all 5 units, counted position by position:
//   s0·s1: ✓✗✗✓✓ = 3, s0·s2: ✗✗✓✗✓ = 2, s0·s3: ✓✓✗✗✗ = 2,
//   s1·s2: ✗✓✗✗✓ = 2, s1·s3: ✓✗✓✗✗ = 2, s2·s3: ✗✗✗✓✗ = 1.
const K1 = [
  [5, 3, 2, 2],
  [3, 5, 2, 2],
  [2, 2, 5, 1],
  [2, 2, 1, 5],
];
// The second layer copies units 0, 2, 4: codes s0 101, s1 111, s2 001, s3 110.
//   s0·s1 = 2, s0·s2 = 2, s0·s3 = 1, s1·s2 = 1, s1·s3 = 2, s2·s3 = 0.
const K2 = [
  [3, 2, 2, 1],
  [2, 3, 1, 2],
  [2, 1, 3, 0],
  [1, 2, 0, 3],
];
const SELECT_0_2_4 = [
  [1, 0, 0],
  [0, 0, 0],
  [0, 1, 0],
  [0, 0, 0],
  [0, 0, 1],
];

function twoLayerNet() {
  return handNetwork([
    { id: 'fc1', weight: identity(5) },
    { id: 'fc2', weight: SELECT_0_2_4, input: 'fc1' },
  ]);
}

function rows(k: Float64Array, n: number): number[][] {
  return Array.from({ length: n }, (_, i) => Array.from(k.subarray(i * n, (i + 1) * n)));
}

describe('agreement kernels (method.md §5.3, §15.4)', () => {
  it('counts agreements of hand-chosen codes, with and without chunking the unit dimension', () => {
    const x = tf.tensor2d(X);
    for (const maxUnits of [5, 2, 1]) {
      const parts = agreementKernelParts(x, maxUnits);
      expect(parts.length).toBe(Math.ceil(5 / maxUnits));
      const summed = tf.tidy(() => tf.addN(parts).arraySync());
      expect(summed).toEqual(K1);
      tf.dispose(parts);
    }
    x.dispose();
  });

  it('reads K_ℓ per layer from one inference pass, keyed by layer id', () => {
    const net = twoLayerNet();
    const x = batchOf(X);
    const before = tf.memory().numTensors;
    const kernels = collectLayerKernels(net, x);
    expect(tf.memory().numTensors).toBe(before);
    expect([...kernels.kernels.keys()]).toEqual(['fc1', 'fc2']);
    expect(rows(kernels.kernels.get('fc1')!, 4)).toEqual(K1);
    expect(rows(kernels.kernels.get('fc2')!, 4)).toEqual(K2);
    expect([...kernels.executed].sort()).toEqual(['fc1', 'fc2']);
    expect(kernels.nonFinite).toEqual([]);

    // Chunked reading (forced tiny chunks) adds the partial counts on the host.
    const chunked = collectLayerKernels(net, x, 2);
    expect(rows(chunked.kernels.get('fc1')!, 4)).toEqual(K1);
    expect(rows(chunked.kernels.get('fc2')!, 4)).toEqual(K2);
    x.dispose();
    net.dispose();
  });

  it('gives lnwot_ℓ = log det K_ℓ and NWOT = log det(K1 + K2) by cofactor expansion', () => {
    const net = twoLayerNet();
    const x = batchOf(X);
    const kernels = collectLayerKernels(net, x);
    const sum = K1.map((r, i) => r.map((v, j) => v + K2[i]![j]!));
    // Hand values: det K1 = 256, det K2 = 12, det(K1 + K2) = 1360.
    expect(detByCofactors(K1)).toBe(256);
    expect(detByCofactors(K2)).toBe(12);
    expect(detByCofactors(sum)).toBe(1360);
    const lnwot = layerwiseNwot(kernels);
    expect(lnwot.get('fc1')).toBeCloseTo(Math.log(256), 10);
    expect(lnwot.get('fc2')).toBeCloseTo(Math.log(12), 10);
    expect(wholeNetworkNwot(kernels)).toBeCloseTo(Math.log(1360), 10);

    const nwot = getProxy('nwot').score(net, { x, y: tf.tensor1d([0, 1, 2, 0], 'int32'), numClasses: 3 });
    expect(nwot).toEqual({ ok: true, value: expect.closeTo(Math.log(1360), 10) });
    const layerwise = getProxy('lnwot').score(net, { x, y: tf.tensor1d([0, 1, 2, 0], 'int32'), numClasses: 3 });
    expect(layerwise.ok).toBe(true);
    if (layerwise.ok) {
      expect(layerwise.value).toBeCloseTo(Math.log(256) + Math.log(12), 10);
      expect(layerwise.perLayer).toEqual({ fc1: expect.closeTo(Math.log(256), 10), fc2: expect.closeTo(Math.log(12), 10) });
    }
    x.dispose();
    net.dispose();
  });

  it('gives 0 for a layer whose codes make K singular (two samples with identical codes)', () => {
    const net = handNetwork([{ id: 'fc1', weight: identity(3) }]);
    const x = batchOf([
      [1, -1, 1],
      [2, -3, 0.5],
      [-1, 1, 1],
    ]);
    const kernels = collectLayerKernels(net, x);
    expect(layerwiseNwot(kernels).get('fc1')).toBe(0);
    x.dispose();
    net.dispose();
  });
});
