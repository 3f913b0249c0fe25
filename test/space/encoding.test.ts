import { describe, expect, it } from 'vitest';
import { describeCell, edgeCount, isValidCell } from '../../plugin/space/cell.js';
import { archFromReference, cellFromReference, cellToReference } from '../../plugin/space/encoding.js';
import { fixture, fixtureSet } from './fixture.js';

// §17.3, transcribed from method.md (independent of the fixture decoder).
const CIFAR_BEST = [
  'n1=mbconv_e6/k3<-[in]; n2=mbconv_e3/k3<-[in,n1]; n3=mbconv_e6/k3<-[in,n1,n2]; n4=mbconv_e6/k3<-[in,n1,n2,n3]; n5=mbconv_e3/k3<-[in,n1,n2,n4]; n6=mbconv_e3/k5<-[n2,n3,n5]; out<-[in,n1,n2,n3,n4,n5,n6]',
  'n1=mbconv_e6/k5<-[in]; n2=mbconv_e2/k5<-[in,n1]; n3=mbconv_e6/k3<-[in,n2]; n4=mbconv_e6/k3<-[in,n3]; n5=mbconv_e3/k5<-[n2,n4]; n6=mbconv_e3/k3<-[in,n1,n2,n3,n4,n5]; out<-[in,n1,n2,n3,n4,n5,n6]',
  'n1=mbconv_e2/k3<-[in]; n2=mbconv_e2/k3<-[in,n1]; n3=mbconv_e6/k3<-[in,n1]; n4=bconv_e0.25/k5<-[in,n1,n2,n3]; n5=mbconv_e6/k1<-[in,n2,n4]; n6=dil_conv/k5<-[in,n1,n3,n5]; out<-[in,n3,n4,n5,n6]',
  'n1=mbconv_e6/k1<-[in]; n2=mbconv_e6/k5<-[in,n1]; n3=mbconv_e6/k5<-[in,n1,n2]; n4=mbconv_e3/k3<-[in,n1,n3]; n5=mbconv_e6/k3<-[in,n1,n2,n4]; n6=mbconv_e6/k3<-[in,n1,n2,n3,n4]; out<-[in,n1,n2,n3,n4,n5,n6]',
  'n1=mbconv_e6/k5<-[in]; n2=mbconv_e6/k5<-[in]; n3=bconv_e0.25/k5<-[in,n1,n2]; n4=mbconv_e6/k5<-[in,n1]; n5=mbconv_e3/k5<-[in,n1,n2,n3,n4]; n6=mbconv_e3/k3<-[n1,n2,n3,n4,n5]; out<-[n1,n2,n3,n4,n6]',
  'n1=mbconv_e6/k5<-[in]; n2=mbconv_e6/k5<-[in,n1]; n3=mbconv_e3/k3<-[n2]; n4=mbconv_e6/k5<-[n3]; n5=mbconv_e3/k3<-[n2]; n6=mbconv_e3/k5<-[in,n1,n2,n3,n4,n5]; out<-[n2,n4,n5,n6]',
];
const IMAGENET_BEST = [
  'n1=mbconv_e3/k1<-[in]; n2=mbconv_e3/k5<-[in,n1]; n3=sep_conv/k3<-[in,n1]; n4=mbconv_e2/k3<-[in,n1,n2,n3]; n5=sep_conv/k3<-[in,n1,n2]; n6=dil_conv/k3<-[in,n1,n2,n3]; out<-[in,n1,n2,n3,n4,n5,n6]',
  'n1=mbconv_e3/k5<-[in]; n2=mbconv_e3/k1<-[in,n1]; n3=dil_conv/k3<-[in]; n4=mbconv_e3/k3<-[n2]; n5=mbconv_e3/k3<-[in,n1,n2,n3]; n6=mbconv_e2/k5<-[in,n1,n2,n3,n4,n5]; out<-[n1,n2,n3,n5,n6]',
  'n1=bconv_e0.25/k1<-[in]; n2=mbconv_e3/k5<-[in,n1]; n3=mbconv_e3/k3<-[in,n2]; n4=mbconv_e3/k5<-[in,n2,n3]; n5=mbconv_e2/k3<-[in,n2,n4]; n6=bconv_e0.5/k3<-[n2,n3,n5]; out<-[in,n2,n5,n6]',
  'n1=mbconv_e6/k3<-[in]; n2=mbconv_e6/k5<-[n1]; n3=mbconv_e6/k3<-[n1]; n4=mbconv_e3/k3<-[in,n2]; n5=mbconv_e3/k3<-[in,n1,n2,n3,n4]; n6=mbconv_e3/k3<-[n1,n2,n3]; out<-[in,n2,n3,n4,n5,n6]',
  'n1=mbconv_e6/k5<-[in]; n2=mbconv_e3/k5<-[in]; n3=mbconv_e3/k3<-[in,n1,n2]; n4=mbconv_e3/k3<-[in,n1,n2]; n5=dil_conv/k3<-[in,n1,n2]; n6=mbconv_e3/k5<-[in,n3,n4,n5]; out<-[in,n3,n4,n5,n6]',
  'n1=mbconv_e3/k1<-[in]; n2=mbconv_e3/k1<-[in,n1]; n3=bconv_e0.5/k5<-[in,n1,n2]; n4=mbconv_e3/k5<-[n1,n3]; n5=dil_conv/k3<-[n2]; n6=dil_conv/k3<-[in,n1,n2,n3,n4,n5]; out<-[n3,n4,n5,n6]',
];

describe('decoding the best reference networks (method.md §17.3)', () => {
  it('CIFAR best: cells, edge counts and macro skeleton', () => {
    const arch = archFromReference(fixtureSet('cifar-1m-params'), 0);
    expect(arch.stages.map((s) => describeCell(s.cell))).toEqual(CIFAR_BEST);
    expect(arch.stages.map((s) => edgeCount(s.cell))).toEqual([24, 22, 21, 25, 22, 16]);
    expect(arch.stages.map((s) => [s.channels, s.stride, s.repeats])).toEqual([
      [32, 1, 3], [32, 1, 2], [32, 1, 4], [32, 1, 3], [24, 1, 3], [16, 1, 3],
    ]);
    expect(arch.headWidth).toBe(40);
    expect(arch.input).toEqual({ height: 32, width: 32, channels: 3 });
    expect(arch.stemStride).toBe(1);
  });

  it('ImageNet-450M best: cells, edge counts and macro skeleton', () => {
    const arch = archFromReference(fixtureSet('imagenet-450m-flops'), 0);
    expect(arch.stages.map((s) => describeCell(s.cell))).toEqual(IMAGENET_BEST);
    expect(arch.stages.map((s) => edgeCount(s.cell))).toEqual([23, 20, 18, 19, 20, 19]);
    expect(arch.stages.map((s) => [s.channels, s.stride, s.repeats])).toEqual([
      [8, 2, 2], [16, 2, 3], [56, 2, 3], [64, 2, 4], [80, 1, 3], [152, 2, 3],
    ]);
    expect(arch.headWidth).toBe(1024);
    expect(arch.stemStride).toBe(2);
  });

  it('every fixture cell is valid with all six intermediate nodes active (§17.2)', () => {
    for (const set of fixture.sets) {
      set.architectures.forEach((_, row) => {
        for (const stage of archFromReference(set, row).stages) {
          expect(isValidCell(stage.cell)).toBe(true);
          expect(describeCell(stage.cell).split('; ')).toHaveLength(7);
        }
      });
    }
  });
});

describe('reference encoding round trip (§2.4, §2.5)', () => {
  const KERNEL_COLUMNS = [12, 13, 14];
  const ROLE_ROWS = [0, 1, 8];
  it('cellToReference(cellFromReference(x)) equals x with role-row kernel bits cleared, for every fixture cell', () => {
    let cells = 0;
    for (const set of fixture.sets) {
      for (const ref of set.architectures) {
        ref.adj_matrix.forEach((adj, i) => {
          const features = ref.ops_features[i]!;
          const expected = features.map((row, r) => row.map((x, c) => (ROLE_ROWS.includes(r) && KERNEL_COLUMNS.includes(c) ? 0 : x)));
          const encoded = cellToReference(cellFromReference(adj, features));
          expect(encoded.adj).toEqual(adj);
          expect(encoded.features).toEqual(expected);
          cells++;
        });
      }
    }
    expect(cells).toBe(120);
  });

  it('decodes the §2.4 worked example (isolated nodes keep their labels)', () => {
    const A = [
      [1, 1, 1, 1, 1, 1, 1, 1, 1],
      [0, 1, 1, 1, 1, 0, 0, 0, 1],
      [0, 0, 1, 1, 0, 0, 0, 0, 1],
      [0, 0, 0, 1, 0, 0, 0, 0, 1],
      [0, 0, 0, 0, 1, 0, 0, 0, 1],
      [0, 0, 0, 0, 0, 1, 0, 0, 0],
      [0, 0, 0, 0, 0, 0, 1, 0, 0],
      [0, 0, 0, 0, 0, 0, 0, 1, 0],
      [0, 0, 0, 0, 0, 0, 0, 0, 1],
    ];
    const X = Array.from({ length: 9 }, () => new Array(15).fill(0));
    const set = (r: number, ...cols: number[]): void => cols.forEach((c) => (X[r]![c] = 1));
    set(0, 11); set(1, 9); set(2, 0, 14); set(3, 5, 14); set(4, 7, 14); set(5, 6, 14); set(6, 4, 13); set(7, 2, 12); set(8, 10);
    const cell = cellFromReference(A, X);
    expect(cell.ops).toEqual(['avg_pool', 'mbconv_e3', 'bconv_e0.5', 'mbconv_e6', 'mbconv_e2', 'sep_conv']);
    expect(cell.kernels).toEqual([5, 5, 5, 5, 3, 1]);
    expect(describeCell(cell)).toBe('n1=avg_pool/k5<-[in]; n2=mbconv_e3/k5<-[in,n1]; n3=bconv_e0.5/k5<-[in]; out<-[in,n1,n2,n3]');
    expect(cellToReference(cell)).toEqual({ adj: A, features: X });
  });

  it('rejects malformed input with errors naming the row or column', () => {
    const ref = fixtureSet('cifar-1m-params').architectures[0]!;
    const adj = ref.adj_matrix[0]!;
    const feats = ref.ops_features[0]!;
    const clone = (m: number[][]): number[][] => m.map((r) => r.slice());
    expect(() => cellFromReference(adj.slice(0, 8), feats)).toThrow(/adjacency: expected 9 rows/);
    expect(() => cellFromReference(adj, feats.map((r) => r.slice(0, 14)))).toThrow(/features: row 0 must have 15 columns/);
    const noOp = clone(feats); noOp[3]!.fill(0, 0, 9);
    expect(() => cellFromReference(adj, noOp)).toThrow(/row 3 \(node n2\) has no op bit/);
    const twoOps = clone(feats); twoOps[4]![0] = 1;
    expect(() => cellFromReference(adj, twoOps)).toThrow(/row 4 \(node n3\) has 2 op bits/);
    const twoKernels = clone(feats); twoKernels[2]![12] = 1; twoKernels[2]![14] = 1;
    expect(() => cellFromReference(adj, twoKernels)).toThrow(/row 2 \(node n1\) must have exactly one kernel bit/);
    const badRole = clone(feats); badRole[1]![9] = 0; badRole[1]![10] = 1;
    expect(() => cellFromReference(adj, badRole)).toThrow(/row 1 must carry exactly the INPUT marker/);
    const lower = clone(adj); lower[5]![2] = 1;
    expect(() => cellFromReference(lower, feats)).toThrow(/entry \[5\]\[2\] below the diagonal/);
    const noSelf = clone(adj); noSelf[4]![4] = 0;
    expect(() => cellFromReference(noSelf, feats)).toThrow(/diagonal entry \[4\]\[4\]/);
    const notBinary = clone(adj); notBinary[1]![3] = 2;
    expect(() => cellFromReference(notBinary, feats)).toThrow(/entry \[1\]\[3\] must be 0 or 1/);
  });

  it('archFromReference honours class-count and SE overrides', () => {
    const set = fixtureSet('imagenet-450m-flops');
    const arch = archFromReference(set, 3, { numClasses: 10, se: true });
    expect(arch.numClasses).toBe(10);
    expect(arch.se).toBe(true);
    expect(arch.input).toEqual({ height: 224, width: 224, channels: 3 });
    expect(() => archFromReference(set, 10)).toThrow(/no architecture at row 10/);
  });
});
