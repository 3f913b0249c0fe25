import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../../plugin/nn/backend.js';
import { tf } from '../../plugin/nn/tf.js';
import { allProxies, getProxy, listProxies, scoreProxies } from '../../plugin/proxies/registry.js';
import { batchOf, handNetwork } from './hand-network.js';

beforeAll(async () => {
  await initBackend('wasm');
});

const X = [
  [0.5, -1.2, 0.3],
  [1.1, 0.4, -0.7],
  [-0.6, 0.9, 1.4],
  [0.2, -0.3, -1.1],
];
const LABELS = [1, 0, 1, 0];
const ALL = ['nwot', 'lnwot', 'snip-snr', 'tcet'];
const FORWARD_BASED = [...ALL, 'zen', 'zen-ideal', 'zico', 'synflow', 'grad_norm', 'snip', 'fisher', 'jacov', 'naswot'];

function net(options: { skip?: string[]; nan?: boolean } = {}) {
  const v = options.nan ? Number.NaN : 0.5;
  return handNetwork(
    [
      { id: 'hidden', weight: [[0.3, -0.2], [v, 0.4], [-0.6, 0.1]], bn: true, relu: true },
      { id: 'proj', weight: [[1], [1], [1]] },
      { id: 'classifier', weight: [[0.2, -0.1], [0.7, 0.3]], bias: [0, 0.1], input: 'hidden' },
    ],
    { output: 'classifier', skip: options.skip ?? [], feature: 'hidden' },
  );
}

describe('proxy registry and failure rules (method.md §5.1)', () => {
  it('lists the proxies with their needs', () => {
    const names = listProxies();
    expect(allProxies().map((p) => p.name)).toEqual(names);
    expect([...names].sort()).toEqual(
      ['fisher', 'flops', 'grad_norm', 'jacov', 'lnwot', 'naswot', 'nwot', 'params', 'snip', 'snip-snr', 'synflow', 'tcet', 'zen', 'zen-ideal', 'zico'].sort(),
    );
    expect(getProxy('tcet').needs).toEqual({
      labels: true,
      gradients: true,
      bnMode: 'both',
      input: 'real',
      minBatch: 2,
      miniBatches: 1,
      passes: 2,
      repeats: 1,
    });
    expect(getProxy('nwot').needs.bnMode).toBe('infer');
    expect(getProxy('naswot').needs.bnMode).toBe('infer');
    expect(getProxy('snip-snr').needs.bnMode).toBe('train');
    expect(getProxy('zen').needs).toMatchObject({ labels: false, gradients: false, bnMode: 'train', input: 'random', passes: 2 });
    expect(getProxy('zico').needs).toMatchObject({ labels: true, bnMode: 'train', miniBatches: 2, minBatch: 4 });
    expect(getProxy('synflow').needs).toMatchObject({ labels: false, gradients: true, bnMode: 'identity', input: 'ones' });
    expect(getProxy('jacov').needs).toMatchObject({ labels: false, gradients: true, passes: 'per-sample' });
    for (const name of ['params', 'flops']) expect(getProxy(name).needs).toMatchObject({ bnMode: 'none', input: 'none', passes: 0 });
    expect(allProxies().every((p) => p.higherIsBetter && p.describe.length > 0 && p.needs.repeats === 1)).toBe(true);
    expect(() => getProxy('zen-nas')).toThrow(/unknown proxy "zen-nas"/);
    const n = net();
    const x = batchOf(X);
    const y = tf.tensor1d(LABELS, 'int32');
    expect(() => scoreProxies(n, { x, y, numClasses: 2 }, ['nwot', 'ntk'])).toThrow(RangeError);
    tf.dispose([x, y]);
    n.dispose();
  });

  it('rejects a batch smaller than a proxy needs with a reason', () => {
    const n = net();
    const x = batchOf(X);
    const y = tf.tensor1d(LABELS, 'int32');
    const three = tf.slice(x, [0, 0, 0, 0], [3, 1, 1, 3]);
    const zico = getProxy('zico').score(n, { x: three, y, numClasses: 2 });
    expect(zico).toEqual({ ok: false, reason: 'zico needs a batch of at least 4, got 3' });
    tf.dispose([x, y, three]);
    n.dispose();
  });

  it('reports a layer that did not execute by name, for every forward-based proxy', () => {
    const n = net({ skip: ['proj'] });
    const x = batchOf(X);
    const y = tf.tensor1d(LABELS, 'int32');
    const before = tf.memory().numTensors;
    const results = scoreProxies(n, { x, y, numClasses: 2 }, FORWARD_BASED);
    expect(tf.memory().numTensors).toBe(before);
    for (const name of FORWARD_BASED) {
      const r = results[name]!;
      expect(r.ok, name).toBe(false);
      if (!r.ok) expect(r.reason).toMatch(/not executed.*proj/);
    }
    tf.dispose([x, y]);
    n.dispose();
  });

  it('rejects NaN weights instead of returning a number', () => {
    const n = net({ nan: true });
    const x = batchOf(X);
    const y = tf.tensor1d(LABELS, 'int32');
    const results = scoreProxies(n, { x, y, numClasses: 2 }, ALL);
    const reasons = Object.fromEntries(
      ALL.map((name) => {
        const r = results[name]!;
        return [name, r.ok ? 'ok' : r.reason];
      }),
    );
    expect(reasons['nwot']).toMatch(/non-finite raw output in layers? hidden/);
    expect(reasons['lnwot']).toMatch(/non-finite raw output in layers? hidden/);
    expect(reasons['snip-snr']).toMatch(/NaN/);
    expect(reasons['tcet']).toMatch(/non-finite|NaN/);
    tf.dispose([x, y]);
    n.dispose();
  });

  it('shares one inference pass and one training pass among all requested proxies', () => {
    const n = net();
    const modes: string[] = [];
    const forward = n.forward.bind(n);
    const counted = { ...n, forward: (x: Parameters<typeof forward>[0], o: Parameters<typeof forward>[1]) => (modes.push(o.mode), forward(x, o)) };
    const x = batchOf(X);
    const y = tf.tensor1d(LABELS, 'int32');
    scoreProxies(counted, { x, y, numClasses: 2 }, [...ALL, 'params']);
    expect(modes.sort()).toEqual(['infer', 'train']);
    modes.length = 0;
    scoreProxies(counted, { x, y, numClasses: 2 }, ['nwot', 'lnwot']);
    expect(modes).toEqual(['infer']);
    tf.dispose([x, y]);
    n.dispose();
  });

  it('turns exceptions into reasons (a class-count mismatch) and leaves BN running statistics untouched', () => {
    const n = net();
    const x = batchOf(X);
    const y = tf.tensor1d(LABELS, 'int32');
    const bad = getProxy('snip-snr').score(n, { x, y, numClasses: 5 });
    expect(bad).toEqual({ ok: false, reason: expect.stringMatching(/2 outputs but the batch has 5 classes/) });

    const results = scoreProxies(n, { x, y, numClasses: 2 }, ALL);
    for (const name of ALL) expect(results[name]!.ok, name).toBe(true);
    const running = n.bnRunning.get('hidden.bn')!;
    expect(Array.from(running.mean.dataSync())).toEqual([0, 0]);
    expect(Array.from(running.variance.dataSync())).toEqual([1, 1]);
    tf.dispose([x, y]);
    n.dispose();
  });
});
