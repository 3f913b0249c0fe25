import { describe, expect, it } from 'vitest';
import {
  MacroTextError,
  numberValue,
  parsePrompt,
  parseSequence,
  printPrompt,
  printSequence,
  renderPromptNumber,
} from '../../plugin/generators/macro-text.js';
import type { ClusterGenotype } from '../../plugin/generators/types.js';
import { DEFAULT_MACRO_BOUNDS, type MacroBounds } from '../../plugin/space/macro.js';
import { Rng } from '../../plugin/util/rng.js';

const EXAMPLE = 'num_classes:10,input_size:32,param:3M,flops:1100M:(inputs),(cell_21, 32, 1, 3),(cell_8, 32, 1, 2),(head, 128),outputs';
const EXAMPLE_GENOTYPE: ClusterGenotype = {
  stages: [
    { cluster: 21, channels: 32, stride: 1, repeats: 3 },
    { cluster: 8, channels: 32, stride: 1, repeats: 2 },
  ],
  headWidth: 128,
};

/** Expects a MacroTextError at `position`, with `expected` in its message. */
function rejects(text: string, position: number, expected: RegExp, bounds?: MacroBounds): void {
  let error: unknown = null;
  try {
    parseSequence(text, bounds ? { bounds } : {});
  } catch (e) {
    error = e;
  }
  expect(error, text).toBeInstanceOf(MacroTextError);
  expect((error as MacroTextError).position, text).toBe(position);
  expect((error as MacroTextError).message).toMatch(expected);
}

describe('macro text format (method.md §12.2)', () => {
  it('parses the §12.2 example', () => {
    const { prompt, genotype } = parseSequence(EXAMPLE);
    expect(prompt).toEqual({ numClasses: 10, inputSize: 32, params: 3e6, flops: 1.1e9, zcScore: null });
    expect(genotype).toEqual(EXAMPLE_GENOTYPE);
  });

  it('accepts the reference prompt with its space before flops, and whitespace anywhere between lexemes', () => {
    expect(parsePrompt('num_classes:10,input_size:32,param:3M, flops:1100M:(inputs)')).toEqual({ numClasses: 10, inputSize: 32, params: 3e6, flops: 1.1e9, zcScore: null });
    const spaced = ' num_classes : 10 ,\tinput_size:32 , param : 3M,flops:1100M : ( inputs ) ,( cell_21,32,1,3 ) , (cell_8 ,32, 1 ,2),( head ,128 ),\n outputs \n';
    expect(parseSequence(spaced)).toEqual(parseSequence(EXAMPLE));
  });

  it('reads suffixes k, M, G and decimals exactly', () => {
    expect(numberValue('0.99M')).toBe(990_000);
    expect(numberValue('4.73M')).toBe(4_730_000);
    expect(numberValue('1.347M')).toBe(1_347_000);
    expect(numberValue('2.5G')).toBe(2_500_000_000);
    expect(numberValue('12k')).toBe(12_000);
    expect(numberValue('224')).toBe(224);
    expect(parsePrompt('num_classes:1k,input_size:224,zc_score:1.347M')).toEqual({ numClasses: 1000, inputSize: 224, params: null, flops: null, zcScore: 1_347_000 });
  });

  it('uses F = 128 when the head tuple is missing', () => {
    const { genotype } = parseSequence('num_classes:10,input_size:32:(inputs),(cell_0, 8, 2, 1),outputs');
    expect(genotype).toEqual({ stages: [{ cluster: 0, channels: 8, stride: 2, repeats: 1 }], headWidth: 128 });
  });

  it('rejects out-of-domain fields at their position, never clamping', () => {
    const head = 'num_classes:10,input_size:32:(inputs),';
    const at = (text: string, piece: string): number => text.indexOf(piece);
    let t = `${head}(cell_32, 32, 1, 3),outputs`;
    rejects(t, at(t, 'cell_32'), /cluster name cell_0\.\.cell_31/);
    t = `${head}(cell_1, 12, 1, 3),outputs`;
    rejects(t, at(t, '12'), /channels: a multiple of 8 in \[8, 1024\]/);
    t = `${head}(cell_1, 1032, 1, 3),outputs`;
    rejects(t, at(t, '1032'), /channels/);
    t = `${head}(cell_1, 0, 1, 3),outputs`;
    rejects(t, at(t, ' 0') + 1, /channels/);
    t = `${head}(cell_1, 32, 3, 3),outputs`;
    rejects(t, at(t, '3, 3'), /stride: one of 1, 2/);
    t = `${head}(cell_1, 32, 1, 5),outputs`;
    rejects(t, at(t, '5)'), /repeats: an integer in 1\.\.4/);
    t = `${head}(cell_1, 32.5, 1, 3),outputs`;
    rejects(t, at(t, '32.5'), /channels/);
    t = `${head}(head, 100),outputs`;
    rejects(t, at(t, 'head,'), /at least 1 stage/);
    t = `${head.slice(0, -1)},outputs`;
    rejects(t, at(t, 'outputs'), /at least 1 stage/);
    t = `${head}(cell_1, 32, 1, 1),(head, 100),outputs`;
    rejects(t, at(t, '100'), /head width: a multiple of 8/);
    // 5 stages × 4 cells = 20 > 19: the fifth repeats field is the culprit.
    t = `${head}${'(cell_1, 32, 1, 4),'.repeat(5)}outputs`;
    rejects(t, t.lastIndexOf('4)'), /at most 19 cells in total/);
  });

  it('rejects broken syntax with the position and what was expected', () => {
    const cases: Array<[string, (t: string) => number, RegExp]> = [
      ['num_classes:10,input_size:32:(inputs),(cell_1, 32, 1, 1)', (t) => t.length, /expected ",", found the end of the text/],
      ['num_classes:10,input_size:32:(inputs),(cell_1, 32, 1, 1),outputs,', (t) => t.length - 1, /end of the text after "outputs"/],
      ['num_classes:10,input_size:32,input_size:32:(inputs),(cell_1, 8, 1, 1),outputs', (t) => t.lastIndexOf('input_size'), /a key not given before/],
      ['num_classes:10,param:1M:(inputs),(cell_1, 8, 1, 1),outputs', (t) => t.indexOf(':('), /"input_size" entry/],
      ['num_classes:10,input_size:32,budget:3M:(inputs),(cell_1, 8, 1, 1),outputs', (t) => t.indexOf('budget'), /prompt key/],
      ['num_classes:10,input_size:32,param:-3M:(inputs)', (t) => t.indexOf('-'), /key, a number or one of/],
      ['num_classes:10,input_size:32(inputs),(cell_1, 8, 1, 1),outputs', (t) => t.indexOf('('), /expected ","/],
      ['num_classes:10.5,input_size:32:(inputs),(cell_1, 8, 1, 1),outputs', (t) => t.indexOf('10.5'), /positive integer for num_classes/],
      ['num_classes:10,input_size:32:(inputs),(cell_1, 8, 1, 1),(head, 64),(cell_2, 8, 1, 1),outputs', (t) => t.lastIndexOf('(cell'), /"outputs" after the head tuple/],
      ['num_classes:10,input_size:32:(inputs),(cell_x, 8, 1, 1),outputs', (t) => t.indexOf('cell_x'), /cluster name/],
    ];
    for (const [text, position, expected] of cases) rejects(text, position(text), expected);
  });

  it('checks a recipe\'s space bounds on top of the domains', () => {
    const bounds: MacroBounds = { minStages: 2, maxStages: 3, maxTotalCells: 5, minChannels: 16, maxChannels: 64, maxRepeats: 2, strides: [1, 2], minHeadWidth: 32, maxHeadWidth: 256, maxDownsamples: 1 };
    const head = 'num_classes:10,input_size:32:(inputs),';
    let t = `${head}(cell_1, 8, 1, 1),(cell_1, 16, 1, 1),outputs`;
    rejects(t, t.indexOf('8,'), /\[16, 64\]/, bounds);
    t = `${head}(cell_1, 16, 2, 1),(cell_1, 16, 2, 1),outputs`;
    rejects(t, t.lastIndexOf('2, 1'), /at most 1 stride-2/, bounds);
    t = `${head}(cell_1, 16, 1, 3),(cell_1, 16, 1, 1),outputs`;
    rejects(t, t.indexOf('3)'), /1\.\.2/, bounds);
    t = `${head}(cell_1, 16, 1, 1),outputs`;
    rejects(t, t.indexOf('outputs'), /at least 2 stage/, bounds);
    t = `${head}(cell_1, 16, 1, 2),(cell_1, 16, 1, 2),(cell_1, 16, 1, 2),outputs`;
    rejects(t, t.lastIndexOf('2)'), /at most 5 cells/, bounds);
    t = `${head}${'(cell_1, 16, 1, 1),'.repeat(4)}outputs`;
    rejects(t, t.lastIndexOf('(cell'), /at most 3 stages/, bounds);
    expect(parseSequence(`${head}(cell_1, 16, 1, 2),(cell_1, 64, 2, 2),(head, 32),outputs`, { bounds }).genotype.headWidth).toBe(32);
    // Without a head tuple F = 128 must itself be within the bounds.
    const narrowHead = { ...bounds, minHeadWidth: 8, maxHeadWidth: 64 };
    t = `${head}(cell_1, 16, 1, 1),(cell_1, 16, 1, 1),outputs`;
    rejects(t, t.length, /default F = 128/, narrowHead);
    expect(() => parseSequence(t, { numClusters: 2 })).not.toThrow();
    expect(() => parseSequence(t.replace(/cell_1/g, 'cell_2'), { numClusters: 2 })).toThrow(/cell_0\.\.cell_1/);
  });

  it('renders prompt numbers as §12.2 chooses', () => {
    expect(renderPromptNumber('param', 990_000)).toBe('0.99M');
    expect(renderPromptNumber('param', 4_731_234)).toBe('4.73M');
    expect(renderPromptNumber('param', 3_000_000)).toBe('3M');
    expect(renderPromptNumber('flops', 446_400_000)).toBe('446M');
    expect(renderPromptNumber('flops', 2_090_000_000)).toBe('2090M');
    expect(renderPromptNumber('zc_score', 1_347_000)).toBe('1.347M');
    // Too small for M: k, then a plain integer, never 0.
    expect(renderPromptNumber('param', 3_200)).toBe('3k');
    expect(renderPromptNumber('flops', 120)).toBe('120');
    expect(printPrompt({ numClasses: 10, inputSize: 32, params: 3e6, flops: 1.1e9, zcScore: null })).toBe('num_classes:10,input_size:32,param:3M,flops:1100M');
    expect(printSequence({ numClasses: 10, inputSize: 32, params: 3e6, flops: 1.1e9, zcScore: null }, EXAMPLE_GENOTYPE)).toBe(EXAMPLE);
  });

  it('round-trips random genotypes through print and parse', () => {
    const rng = new Rng(7);
    for (let i = 0; i < 300; i++) {
      const stages = [];
      let cells = 0;
      const count = rng.int(1, 8);
      for (let s = 0; s < count && cells < 19; s++) {
        const repeats = rng.int(1, Math.min(4, 19 - cells));
        cells += repeats;
        stages.push({ cluster: rng.int(0, 31), channels: 8 * rng.int(1, 128), stride: rng.pick([1, 2] as const), repeats });
      }
      const genotype: ClusterGenotype = { stages, headWidth: 8 * rng.int(1, 128) };
      const prompt = { numClasses: rng.int(2, 1000), inputSize: rng.int(8, 256), params: rng.int(1, 50) * 1e5, flops: rng.int(1, 3000) * 1e6, zcScore: rng.next() < 0.5 ? null : rng.int(1, 5000) * 1e3 };
      const parsed = parseSequence(printSequence(prompt, genotype), { bounds: DEFAULT_MACRO_BOUNDS });
      expect(parsed.genotype).toEqual(genotype);
      expect(parsed.prompt).toEqual(prompt);
    }
  });

  it('refuses to print a genotype outside the domains', () => {
    const prompt = { numClasses: 10, inputSize: 32, params: null, flops: null, zcScore: null };
    expect(() => printSequence(prompt, { stages: [{ cluster: 0, channels: 12, stride: 1, repeats: 1 }], headWidth: 64 })).toThrow(/stages\[0\]\.channels/);
    expect(() => printSequence(prompt, { stages: [], headWidth: 64 })).toThrow(/stages: 0/);
  });
});
