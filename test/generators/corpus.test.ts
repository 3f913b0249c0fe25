import { describe, expect, it } from 'vitest';
import { buildCorpus, corpusLine } from '../../plugin/generators/corpus.js';
import { parseSequence } from '../../plugin/generators/macro-text.js';
import { DEFAULT_MACRO_BOUNDS } from '../../plugin/space/macro.js';
import { syntheticRecords } from './synthetic-corpus.js';

const RECORD = {
  numClasses: 10,
  inputSize: 32,
  params: 987_654,
  flops: 446_400_000,
  tcet: 1_347_400,
  genotype: { stages: [{ cluster: 21, channels: 32, stride: 1 as const, repeats: 3 }, { cluster: 8, channels: 64, stride: 2 as const, repeats: 1 }], headWidth: 128 },
};

describe('macro LM corpus (method.md §12.6)', () => {
  it('renders a record with the §12.2 number rules', () => {
    expect(corpusLine(RECORD, true)).toBe('num_classes:10,input_size:32,param:0.99M,flops:446M,zc_score:1.347M:(inputs),(cell_21, 32, 1, 3),(cell_8, 64, 2, 1),(head, 128),outputs');
    expect(corpusLine(RECORD, false)).toBe('num_classes:10,input_size:32,param:0.99M,flops:446M:(inputs),(cell_21, 32, 1, 3),(cell_8, 64, 2, 1),(head, 128),outputs');
    expect(corpusLine({ ...RECORD, params: 4_730_000, flops: 2_090_400_000, tcet: null }, true)).toMatch(/^num_classes:10,input_size:32,param:4.73M,flops:2090M:\(inputs\)/);
    // No sign in the text: a negative TCET is left out.
    expect(corpusLine({ ...RECORD, tcet: -3 }, true)).not.toMatch(/zc_score/);
  });

  it('puts zc_score on a seeded random half of the lines, reproducibly', () => {
    const records = syntheticRecords(41, DEFAULT_MACRO_BOUNDS, 32, 1).map((r) => ({ ...r, tcet: 2e6 }));
    const lines = buildCorpus(records, 3);
    expect(lines).toHaveLength(41);
    expect(lines.filter((l) => l.includes('zc_score')).length).toBe(20);
    expect(buildCorpus(records, 3)).toEqual(lines);
    expect(buildCorpus(records, 4)).not.toEqual(lines);
    lines.forEach((line, i) => {
      const { genotype, prompt } = parseSequence(line);
      expect(genotype).toEqual(records[i]!.genotype);
      expect(prompt.numClasses).toBe(records[i]!.numClasses);
      // 2 decimals in M: within 0.005 M of the measured value.
      expect(Math.abs(prompt.params! - records[i]!.params)).toBeLessThanOrEqual(5_000 + 1e-6);
    });
  });

  it('names clusters beyond 31 when the GMM has more components (pretrain.gmm.components up to 64)', () => {
    const wide = { ...RECORD, genotype: { ...RECORD.genotype, stages: [{ cluster: 47, channels: 32, stride: 1 as const, repeats: 1 }] } };
    expect(corpusLine(wide, false, 64)).toBe('num_classes:10,input_size:32,param:0.99M,flops:446M:(inputs),(cell_47, 32, 1, 1),(head, 128),outputs');
    expect(() => corpusLine(wide, false)).toThrow(/expected 0\.\.31, got 47/);
    expect(buildCorpus([wide], 0, 64)).toHaveLength(1);
  });
});
