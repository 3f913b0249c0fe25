/**
 * Backend selection on this machine, where the tfjs-node packages cannot load (their install
 * step downloads libtensorflow): auto falls through to wasm and says why, explicit choices work
 * or fail with a message that names the fix, and a small conv network gives the same forward
 * pass and gradients on wasm as on the pure-JS cpu backend.
 */
import { describe, expect, it } from 'vitest';
import { tf } from '../../plugin/nn/tf.js';
import type { Tensor, Tensor4D } from '../../plugin/nn/tf.js';
import { backendInfo, initBackend } from '../../plugin/nn/backend.js';
import { Rng } from '../../plugin/util/rng.js';

function randomTensor(shape: number[], seed: number, scale = 1): Tensor {
  const rng = new Rng(seed);
  const size = shape.reduce((a, b) => a * b, 1);
  return tf.tensor(Float32Array.from({ length: size }, () => scale * rng.normal()), shape);
}

/** max |a − b| / max |b|. */
function relativeError(a: Float32Array, b: Float32Array): number {
  let diff = 0;
  let scale = 0;
  for (let i = 0; i < b.length; i++) {
    diff = Math.max(diff, Math.abs(a[i]! - b[i]!));
    scale = Math.max(scale, Math.abs(b[i]!));
  }
  return diff / scale;
}

/**
 * A sep_conv / dil_conv / conv / avg_pool style stack (method.md §2.3) with a linear head:
 * returns the logits and the gradients of a cross-entropy loss w.r.t. every parameter.
 */
function tinyNetwork(): Float32Array[] {
  return tf.tidy(() => {
    const x = randomTensor([2, 9, 9, 3], 1) as Tensor4D;
    const labels = tf.oneHot(tf.tensor1d([1, 3], 'int32'), 4);
    const params = [
      randomTensor([3, 3, 3, 8], 2, 0.3), // stem conv
      randomTensor([5, 5, 8, 1], 3, 0.3), // depthwise, stride 2
      randomTensor([3, 3, 8, 1], 4, 0.3), // dilated depthwise
      randomTensor([1, 1, 8, 6], 5, 0.3), // pointwise
      randomTensor([6, 4], 6, 0.3), // classifier
    ];
    const forward = (...p: Tensor[]): Tensor => {
      const [stem, dw, dil, pw, fc] = p as [Tensor4D, Tensor4D, Tensor4D, Tensor4D, Tensor];
      let h = tf.conv2d(x, stem, 1, 1);
      h = tf.depthwiseConv2d(tf.relu(h), dw, 2, 2);
      h = tf.depthwiseConv2d(tf.relu(h), dil, 1, 2, 'NHWC', 2);
      h = tf.conv2d(h, pw, 1, 0);
      const { mean, variance } = tf.moments(h, [0, 1, 2]);
      h = tf.div(tf.sub(h, mean), tf.sqrt(tf.add(variance, 1e-5)));
      h = tf.avgPool(tf.pad(tf.relu(h), [[0, 0], [1, 1], [1, 1], [0, 0]]), 3, 1, 'valid');
      const pooled = tf.mean(h, [1, 2]);
      return tf.matMul(pooled, fc as tf.Tensor2D);
    };
    const loss = (...p: Tensor[]): Tensor => tf.neg(tf.mean(tf.sum(tf.mul(labels, tf.logSoftmax(forward(...p))), 1)));
    const logits = forward(...params);
    const grads = tf.grads(loss)(params);
    return [logits, ...grads].map((t) => t.dataSync() as Float32Array);
  });
}

describe('initBackend', () => {
  it('auto selects wasm here and records both tfjs-node failures', async () => {
    const info = await initBackend('auto');
    expect(info.name).toBe('wasm');
    expect(tf.getBackend()).toBe('wasm');
    expect(info.package).toBe('@tensorflow/tfjs-backend-wasm');
    expect(info.version).toMatch(/^\d+\.\d+\.\d+/);
    expect(info.detail).toMatch(/^wasm (SIMD|scalar)/);
    expect(info.fallbacks.map((f) => f.tried)).toEqual(['@tensorflow/tfjs-node-gpu', '@tensorflow/tfjs-node']);
    for (const fallback of info.fallbacks) expect(fallback.error.length).toBeGreaterThan(0);
    expect(backendInfo()).toEqual(info);
  });

  it('is idempotent: repeated and concurrent calls return the same selection', async () => {
    const [a, b] = await Promise.all([initBackend('auto'), initBackend('auto')]);
    expect(a).toBe(b);
    expect(await initBackend('auto')).toBe(a);
    expect(tf.getBackend()).toBe('wasm');
  });

  it('registers the wasm backprop kernels it needs', async () => {
    await initBackend('wasm');
    for (const kernel of [tf.Conv2DBackpropFilter, tf.DepthwiseConv2dNativeBackpropInput, tf.DepthwiseConv2dNativeBackpropFilter]) {
      expect(tf.getKernel(kernel, 'wasm')).toBeDefined();
    }
  });

  it('explicit cpu works', async () => {
    const info = await initBackend('cpu');
    expect(info.name).toBe('cpu');
    expect(info.fallbacks).toEqual([]);
    expect(tf.getBackend()).toBe('cpu');
    expect(tf.tidy(() => tf.sum(tf.tensor1d([1, 2, 3])).dataSync()[0])).toBe(6);
  });

  it('explicit tensorflow fails with a message naming the backend, the packages and the fix', async () => {
    const attempt = initBackend('tensorflow');
    await expect(attempt).rejects.toThrow(/Backend 'tensorflow' is unavailable/);
    await expect(attempt).rejects.toThrow(/@tensorflow\/tfjs-node-gpu: .+; @tensorflow\/tfjs-node: /);
    // The fix rides as the error's hint (the CLI prints it as "fix: …" and exits 2).
    await expect(attempt).rejects.toMatchObject({ name: 'InputError', hint: expect.stringMatching(/install @tensorflow\/tfjs-node .*libtensorflow.*runtime\.backend: wasm/) });
    // A failed explicit choice leaves the previous backend usable.
    expect(tf.getBackend()).toBe('cpu');
    expect(backendInfo()?.name).toBe('cpu');
  });

  it('wasm reports its SIMD/thread configuration, including an unmet thread request', async () => {
    const info = await initBackend('wasm', { threads: 4 });
    expect(info.name).toBe('wasm');
    expect(info.detail).toMatch(/1 thread \(4 requested/);
  });
});

describe('a tiny conv network on wasm and cpu', () => {
  it('agrees in the forward pass and every gradient', async () => {
    await initBackend('wasm');
    const wasm = tinyNetwork();
    await initBackend('cpu');
    const cpu = tinyNetwork();
    expect(wasm.length).toBe(6);
    wasm.forEach((values, i) => expect(relativeError(values, cpu[i]!)).toBeLessThan(1e-4));
  });
});
