import { describe, expect, it } from 'vitest';
import { ArchFormatError, archFromJson, archToJson, type ArchJson } from '../../plugin/space/arch-json.js';
import { archFromReference } from '../../plugin/space/encoding.js';
import { fixture, fixtureSet } from './fixture.js';

function problemsOf(doc: unknown): { path: string; message: string }[] {
  try {
    archFromJson(doc);
  } catch (err) {
    expect(err).toBeInstanceOf(ArchFormatError);
    return [...(err as ArchFormatError).problems];
  }
  throw new Error('expected archFromJson to throw');
}

describe('hgnas/arch@1 documents', () => {
  it('round-trips all 20 fixture networks exactly (through JSON text too)', () => {
    for (const set of fixture.sets) {
      set.architectures.forEach((_, row) => {
        const arch = archFromReference(set, row);
        const doc = archToJson(arch, { source: `${set.name}[${row}]` });
        expect(archFromJson(JSON.parse(JSON.stringify(doc)))).toEqual(arch);
      });
    }
  });

  it('writes the documented shape: six nodes, inputs by name, output list', () => {
    const doc = archToJson(archFromReference(fixtureSet('imagenet-450m-flops'), 0));
    expect(doc.format).toBe('hgnas/arch@1');
    expect(doc.stemStride).toBe(2);
    expect(doc.headWidth).toBe(1024);
    const cell = doc.stages[1]!.cell;
    expect(cell.nodes).toHaveLength(6);
    // §17.3 ImageNet stage 1: n3=dil_conv/k3<-[in]; out<-[n1,n2,n3,n5,n6]
    expect(cell.nodes[2]).toEqual({ op: 'dil_conv', kernel: 3, inputs: ['in'] });
    expect(cell.output).toEqual(['n1', 'n2', 'n3', 'n5', 'n6']);
    expect(doc.meta).toBeUndefined();
  });

  it('keeps isolated nodes as entries with no inputs and round-trips their labels', () => {
    const doc = archToJson(archFromReference(fixtureSet('cifar-1m-params'), 0));
    const stage = doc.stages[0]!;
    // Isolate n6: drop its inputs and remove it from every consumer list.
    stage.cell.nodes[5] = { op: 'avg_pool', kernel: 1, inputs: [] };
    stage.cell.output = stage.cell.output.filter((r) => r !== 'n6');
    const arch = archFromJson(doc);
    expect(arch.stages[0]!.cell.ops[5]).toBe('avg_pool');
    expect(archToJson(arch)).toEqual(doc);
  });

  it('reports schema problems with JSON paths', () => {
    const doc = archToJson(archFromReference(fixtureSet('cifar-1m-params'), 0)) as unknown as Record<string, unknown>;
    const bad = structuredClone(doc) as unknown as ArchJson & { extra?: number };
    (bad as { format: string }).format = 'hgnas/arch@2';
    bad.stages[2]!.channels = 30;
    (bad.stages[0]!.cell.nodes[1] as { op: string }).op = 'skip_connect';
    bad.stages[3]!.cell.nodes = bad.stages[3]!.cell.nodes.slice(0, 5);
    bad.extra = 1;
    const paths = problemsOf(bad).map((p) => p.path);
    expect(paths).toEqual(expect.arrayContaining(['/format', '/stages/2/channels', '/stages/0/cell/nodes/1/op', '/stages/3/cell/nodes', '']));
    expect(() => archFromJson(bad)).toThrow(/\/stages\/2\/channels: must be multiple of 8/);
  });

  it('reports semantic problems: backward edges, invalid cells, too many cells', () => {
    const doc = archToJson(archFromReference(fixtureSet('cifar-1m-params'), 0));
    const backward = structuredClone(doc);
    backward.stages[1]!.cell.nodes[0]!.inputs = ['in', 'n4'];
    expect(problemsOf(backward)).toEqual([
      { path: '/stages/1/cell/nodes/0/inputs/1', message: 'G1: n4 does not precede n1; edges go from lower to higher nodes' },
    ]);
    const dead = structuredClone(doc);
    dead.stages[4]!.cell.output = [];
    expect(problemsOf(dead).map((p) => p.path)).toContain('/stages/4/cell/output');
    const unused = structuredClone(doc);
    // n6 keeps its inputs but nothing reads it: G6.
    unused.stages[0]!.cell.output = unused.stages[0]!.cell.output.filter((r) => r !== 'n6');
    const p = problemsOf(unused);
    expect(p).toHaveLength(1);
    expect(p[0]!.path).toBe('/stages/0/cell');
    expect(p[0]!.message).toMatch(/^G6: node\(s\) n6/);
    const tooMany = structuredClone(doc);
    tooMany.stages.push(structuredClone(tooMany.stages[0]!));
    expect(problemsOf(tooMany)).toEqual([{ path: '/stages', message: '21 cells in total, at most 19 allowed' }]);
  });

  it('rejects non-objects', () => {
    expect(problemsOf(null)[0]!.message).toMatch(/must be object/);
  });
});
