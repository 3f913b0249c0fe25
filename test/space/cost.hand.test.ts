import { describe, expect, it } from 'vitest';
import { emptyAdjacency } from '../../plugin/space/cell.js';
import { archCost, archLayers, proxyNetworkCost, proxyNetworkLayers, roundHalfEven, seReduction, traceShapes } from '../../plugin/space/cost.js';
import { sampleCell } from '../../plugin/space/sampler.js';
import { Rng } from '../../plugin/util/rng.js';
import type { Arch, Cell, KernelSize, OpName } from '../../plugin/space/types.js';

function cell(edges: [number, number][], ops: OpName[], kernels: KernelSize[]): Cell {
  const adj = emptyAdjacency();
  for (const [i, j] of edges) adj[i]![j] = 1;
  return { adj, ops, kernels };
}
const PAD_OPS: OpName[] = ['conv', 'conv', 'conv', 'conv'];
const PAD_K: KernelSize[] = [3, 3, 3, 3];

describe('hand-computed costs (method.md §2.3, §3, §4)', () => {
  it('MNIST 28×28×1, one stage of 8 channels with in -> n1(conv k3) -> out and in -> out, F = 16, 10 classes', () => {
    /*
     * Stem conv3x3 1->8, s1, p1 on 28×28 -> 28×28×8 (784 px): params 9·1·8 = 72, MACs 72·784 = 56 448.
     * Stem BN(8): params 16, MACs 2·8·784 = 12 544.
     * Cell (8 -> 8, s1: no projection). n1 conv k3: ReLU 8·784 = 6 272; conv params 9·8·8 = 576,
     *   MACs 576·784 = 451 584; BN(8) params 16, MACs 12 544. The sums at n1 and out cost nothing.
     * Head: BN(8) params 16, MACs 12 544; ReLU 6 272; conv1x1 8->16 params 128, MACs 128·784 = 100 352;
     *   BN(16) params 32, MACs 2·16·784 = 25 088; global pool 16·784 = 12 544; linear 16->10 params
     *   160 + 10 = 170, MACs 170.
     * Params: 72 + 16 + 576 + 16 + 16 + 128 + 32 + 170 = 1 026.
     * MACs: 56 448 + 12 544 + 6 272 + 451 584 + 12 544 + 12 544 + 6 272 + 100 352 + 25 088 + 12 544 + 170
     *   = 696 362 -> FLOPs 1 392 724.
     * Conv/linear weight MACs: 56 448 + 451 584 + 100 352 + 160 = 608 544 -> 1 217 088; 4 layers.
     */
    const arch: Arch = {
      input: { height: 28, width: 28, channels: 1 },
      numClasses: 10,
      stemStride: 1,
      se: false,
      headWidth: 16,
      stages: [{ channels: 8, stride: 1, repeats: 1, cell: cell([[0, 1], [1, 7], [0, 7]], ['conv', 'conv', ...PAD_OPS], [3, 3, ...PAD_K]) }],
    };
    expect(archCost(arch)).toEqual({ params: 1026, flops: 1392724, flopsConvLinear: 1217088, layers: 4, cells: 1 });
    expect(archLayers(arch).map((l) => l.id)).toEqual(['stem.conv', 'stage0.rep0.node1.conv', 'head.conv', 'classifier']);
  });

  it('a shape-changing cell: projection, single-predecessor rule, avg_pool projection with bias, MBConv with SE', () => {
    /*
     * Input 8×8×3, stem conv3x3 3->8 s1 (C_1 = 8, the first stage's width): params 216,
     *   MACs 216·64 = 13 824; BN(8) params 16, MACs 1 024.
     * Stage 0, cell 8 -> 8 at stride 1 (shape-keeping, no projection), n1 = conv k1: ReLU 512;
     *   conv1x1 params 64, MACs 64·64 = 4 096; BN(8) params 16, MACs 1 024.
     * Cell 8 -> 16, stride 2, output 4×4 (16 px).
     *   Projection P: ReLU 8·64 = 512; conv1x1 8->16 s2 params 128, MACs 128·16 = 2 048; BN(16) params 32,
     *     MACs 512.
     *   n1 = avg_pool k3, preds {in}: reads the raw 8×8×8 input, 8 -> 16 at stride 2. Pool counts input
     *     elements 512; non-affine BN on 4×4×8: MACs 128, no params; channels change: ReLU 128;
     *     conv1x1 8->16 with bias params 144, MACs 2 048 + 256 = 2 304; BN(16) params 32, MACs 512.
     *   n2 = mbconv_e2 k3, preds {n1}: 16 -> 16 at stride 1 on 4×4, E = 32, SE r = round(32/4) = 8.
     *     ReLU 256; pw_expand params 512, MACs 8 192; BN(32) 64 / 1 024; ReLU 512; dw3x3 params 288,
     *     MACs 4 608; BN(32) 64 / 1 024; ReLU 512; SE: pool 512, conv 32->8 256 / 256, BN(8) 16 / 16,
     *     ReLU 8, conv 8->32 256 / 256, BN(32) 64 / 64; pw_project params 512, MACs 8 192; BN(16) 32 / 512.
     * Head: BN(16) 32 / 512; ReLU 256; conv1x1 16->8 params 128, MACs 2 048; BN(8) 16 / 256; pool 128;
     *   linear 8->2 params 18, MACs 18.
     * Params: 232 + 80 + 160 + 176 + 2 064 + 194 = 2 906.
     * MACs: 14 848 + 5 632 + 3 072 + 3 584 + 25 944 + 3 218 = 56 298 -> FLOPs 112 596.
     * Conv/linear weight MACs: 13 824 + 4 096 + 2 048 + 2 048 + (8 192 + 4 608 + 256 + 256 + 8 192)
     *   + 2 048 + 16 = 45 584 -> 91 168; layers: stem, stage-0 conv, P, n1.proj, 5 in n2, head conv,
     *   classifier = 11.
     */
    const arch: Arch = {
      input: { height: 8, width: 8, channels: 3 },
      numClasses: 2,
      stemStride: 1,
      se: true,
      headWidth: 8,
      stages: [
        { channels: 8, stride: 1, repeats: 1, cell: cell([[0, 1], [1, 7], [0, 7]], ['conv', 'conv', ...PAD_OPS], [1, 3, ...PAD_K]) },
        { channels: 16, stride: 2, repeats: 1, cell: cell([[0, 1], [1, 2], [2, 7], [0, 7]], ['avg_pool', 'mbconv_e2', ...PAD_OPS], [3, 3, ...PAD_K]) },
      ],
    };
    expect(archCost(arch)).toEqual({ params: 2906, flops: 112596, flopsConvLinear: 91168, layers: 11, cells: 2 });
    const trace = traceShapes(arch);
    expect(trace.stem).toEqual([8, 8, 8]);
    expect(trace.cells).toEqual([
      { stage: 0, repeat: 0, input: [8, 8, 8], output: [8, 8, 8], stride: 1, changesShape: false },
      { stage: 1, repeat: 0, input: [8, 8, 8], output: [4, 4, 16], stride: 2, changesShape: true },
    ]);
    expect(trace.headConv).toEqual([4, 4, 8]);
    expect(trace.logits).toBe(2);
  });

  it('SE width uses round half to even (§2.3)', () => {
    expect([roundHalfEven(0.5), roundHalfEven(1.5), roundHalfEven(2.5), roundHalfEven(2.4), roundHalfEven(2.6)]).toEqual([0, 2, 2, 2, 3]);
    expect(seReduction(2)).toBe(1); // round(0.5) = 0, floored at 1
    expect(seReduction(6)).toBe(2); // 1.5 -> 2
    expect(seReduction(10)).toBe(2); // 2.5 -> 2 (half-up would give 3)
  });
});

describe('proxy network of §3.2', () => {
  it('hand count for in -> n1(conv k1) -> out, in -> out at CIFAR-10', () => {
    /*
     * Stem conv3x3 3->16: 432 + BN 32.
     * 5 cells 16->16: conv1x1 256 + BN 32 = 288 each -> 1 440.
     * Cell 16->32 s2: projection 512 + BN 64 = 576; n1 (preds {in}) conv1x1 16->32 s2: 512 + 64 -> 1 152.
     * 5 cells 32->32: 1 024 + 64 = 1 088 each -> 5 440.
     * Cell 32->64 s2: projection 2 048 + 128, n1 2 048 + 128 -> 4 352.
     * 5 cells 64->64: 4 096 + 128 = 4 224 each -> 21 120.
     * Head: BN(64) 128, linear 64·10 + 10 = 650.
     * Total 464 + 1 440 + 1 152 + 5 440 + 4 352 + 21 120 + 128 + 650 = 34 746 params.
     * Layers: stem + 5 + 2 + 5 + 2 + 5 + classifier = 21.
     */
    const c = cell([[0, 1], [1, 7], [0, 7]], ['conv', 'conv', ...PAD_OPS], [1, 3, ...PAD_K]);
    const cost = proxyNetworkCost(c);
    expect(cost.params).toBe(34746);
    expect(cost.layers).toBe(21);
    expect(cost.cells).toBe(17);
    expect(proxyNetworkLayers(c).at(-1)).toMatchObject({ id: 'classifier', inChannels: 64, outChannels: 10 });
  });

  it('the smallest proxy network (a lone avg_pool node) has the 6.8 k parameters quoted in §3.2', () => {
    /*
     * Shape-keeping cells: avg_pool keeps channels, so only a non-affine BN: 0 params.
     * Cell 16->32 s2: projection 512 + 64 = 576; n1 reads the raw input, 16 -> 32, so its pool is
     *   followed by conv1x1 with bias 512 + 32 and BN 64 = 608.
     * Cell 32->64 s2: projection 2 048 + 128 = 2 176; n1 2 048 + 64 + 128 = 2 240.
     * Stem 432 + 32, head BN 128 + linear 650: 6 842 in total.
     */
    const c = cell([[0, 1], [1, 7], [0, 7]], ['avg_pool', 'conv', ...PAD_OPS], [1, 3, ...PAD_K]);
    expect(proxyNetworkCost(c).params).toBe(6842);
  });

  it('random cells roughly span the parameter range quoted in §3.2', () => {
    // §3.2 quotes 6.8 k to 2.2 M (median 0.58 M, 81 % <= 1 M) for the reference sampler, whose skip
    // quirk yields fewer 6-node cells and some parameter-free zero ops (§17.5), so our sampler
    // sits a little higher: compare loosely.
    const rng = new Rng(321);
    const params = Array.from({ length: 3000 }, () => proxyNetworkCost(sampleCell(rng)).params).sort((a, b) => a - b);
    expect(params[0]).toBeGreaterThanOrEqual(6800);
    expect(params[Math.floor(0.99 * params.length)]).toBeLessThanOrEqual(2_200_000);
    const median = params[params.length / 2]!;
    expect(median).toBeGreaterThan(500_000);
    expect(median).toBeLessThan(750_000);
    const share = params.filter((p) => p <= 1_000_000).length / params.length;
    expect(share).toBeGreaterThan(0.7);
    expect(share).toBeLessThan(0.85);
  });
});
