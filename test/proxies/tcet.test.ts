import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../../plugin/nn/backend.js';
import { tf } from '../../plugin/nn/tf.js';
import { getProxy, scoreProxies } from '../../plugin/proxies/registry.js';
import { safeLog1p, tcetFromLayers } from '../../plugin/proxies/tcet.js';
import { batchOf, handNetwork, identity } from './hand-network.js';
import { ceLogitGradient, matmul, saliencyStats, transpose } from './host-math.js';

beforeAll(async () => {
  await initBackend('wasm');
});

describe('TCET (method.md §5.4)', () => {
  it('replaces NaN and ±∞ log1p values by 0', () => {
    expect(safeLog1p(Math.E - 1)).toBeCloseTo(1, 14);
    expect(safeLog1p(Number.NaN)).toBe(0);
    expect(safeLog1p(Number.POSITIVE_INFINITY)).toBe(0);
    expect(safeLog1p(-1)).toBe(0); // log 0 = −∞
    expect(safeLog1p(-2)).toBe(0); // NaN
  });

  it('pairs the two per-layer lists by id, whatever their orders', () => {
    const lnwot = new Map([
      ['a', 2],
      ['b', 3],
      ['c', 5],
    ]);
    const snr = new Map([
      ['c', Math.E ** 2 - 1],
      ['a', Math.E - 1],
      ['b', 0],
    ]);
    const { value, perLayer } = tcetFromLayers(['b', 'c', 'a'], lnwot, snr);
    // a: 2·1, b: 3·0, c: 5·2
    expect(value).toBeCloseTo(12, 12);
    expect(perLayer).toEqual({ a: expect.closeTo(2, 12), b: 0, c: expect.closeTo(10, 12) });
    expect(() => tcetFromLayers(['a', 'd'], lnwot, snr)).toThrow(/layer d/);
  });

  it('combines hand lnwot and host SNR of a network whose layer list runs against execution order', () => {
    // Codes and agreement matrices as in nwot.test.ts: det K1 = 256, det K2 = 12.
    const X = [
      [0.7, 2, -1, -0.3, 1],
      [1.5, 0, 0.2, -2, 0.4],
      [-1, -0.5, -0.1, 3, 0.9],
      [0.3, 1, 4, 0.6, -1.2],
    ];
    const W1 = identity(5);
    const W2 = [
      [1, 0, 0],
      [0, 0, 0],
      [0, 1, 0],
      [0, 0, 0],
      [0, 0, 1],
    ];
    const labels = [2, 0, 1, 2];
    const net = handNetwork(
      [
        { id: 'fc1', weight: W1 },
        { id: 'fc2', weight: W2, input: 'fc1' },
      ],
      { listOrder: ['fc2', 'fc1'] },
    );
    // Host gradients of mean CE: E = ∂CE/∂logits, G2 = (x W1)ᵀ E, G1 = xᵀ (E W2ᵀ).
    const h = matmul(X, W1);
    const e = ceLogitGradient(matmul(h, W2), labels);
    const g2 = matmul(transpose(h), e);
    const g1 = matmul(transpose(X), matmul(e, transpose(W2)));
    const snr1 = saliencyStats(W1, g1).snr;
    const snr2 = saliencyStats(W2, g2).snr;
    const expected = Math.log(256) * Math.log1p(snr1) + Math.log(12) * Math.log1p(snr2);

    const x = batchOf(X);
    const y = tf.tensor1d(labels, 'int32');
    const batch = { x, y, numClasses: 3 };
    const alone = getProxy('tcet').score(net, batch);
    expect(alone.ok).toBe(true);
    if (alone.ok) {
      expect(alone.value / expected).toBeCloseTo(1, 5);
      expect(Object.keys(alone.perLayer!)).toEqual(['fc2', 'fc1']);
      expect(alone.perLayer!['fc1']! / (Math.log(256) * Math.log1p(snr1))).toBeCloseTo(1, 5);
    }

    // Scored together, the shared passes give the same values as each proxy alone.
    const before = tf.memory().numTensors;
    const together = scoreProxies(net, batch, ['tcet', 'nwot', 'lnwot', 'snip-snr']);
    expect(tf.memory().numTensors).toBe(before);
    expect(together['tcet']).toEqual(alone);
    expect(together['lnwot']).toMatchObject({ ok: true, value: expect.closeTo(Math.log(256) + Math.log(12), 10) });
    expect(together['snip-snr']).toMatchObject({ ok: true });
    if (together['snip-snr']!.ok) expect(together['snip-snr']!.value / (snr1 + snr2)).toBeCloseTo(1, 5);
    tf.dispose([x, y]);
    net.dispose();
  });
});
