import { describe, expect, it } from 'vitest';
import { archCost } from '../../plugin/space/cost.js';
import { archFromReference } from '../../plugin/space/encoding.js';
import { fixture, fixtureSet } from './fixture.js';

const { sets } = fixture;
const cifar = fixtureSet('cifar-1m-params');
const imagenet = fixtureSet('imagenet-450m-flops');

describe('archCost against the reference fixture (method.md §17.2)', () => {
  for (const set of sets) {
    set.architectures.forEach((ref, row) => {
      it(`${set.name} row ${row}: params and ptflops FLOPs equal the stored values`, () => {
        const cost = archCost(archFromReference(set, row));
        expect(cost.params).toBe(ref.params);
        expect(cost.flops).toBe(ref.flops_ptflops);
      });
    });
  }

  it('CIFAR best: 100-class and 10-class heads (§17.2 table, fixture known_facts)', () => {
    const c100 = archCost(archFromReference(cifar, 0));
    expect(c100).toEqual({ params: 996206, flops: 2090291208, flopsConvLinear: 1914974016, layers: 325, cells: 18 });
    const c10 = archCost(archFromReference(cifar, 0, { numClasses: 10 }));
    expect(c10.params).toBe(992516);
    expect(c10.flopsConvLinear).toBe(1914966816);
    expect(c10.flops).toBe(2090283828);
  });

  it('ImageNet-450M best with and without SE (§17.2, §14 P13)', () => {
    const plain = archCost(archFromReference(imagenet, 0));
    expect(plain).toEqual({ params: 4726320, flops: 445601712, flopsConvLinear: 413971712, layers: 315, cells: 18 });
    const se = archCost(archFromReference(imagenet, 0, { se: true }));
    expect(se.params).toBe(7531406);
    expect(se.flops).toBe(455023234);
    expect(se.flopsConvLinear).toBe(419492400);
  });
});
