import { describe, expect, it } from 'vitest';
import { MacroTextError } from '../../plugin/generators/macro-text.js';
import { MacroTokenizer } from '../../plugin/generators/tokenizer.js';

const PROMPT = 'num_classes:10,input_size:32,param:3M,flops:1100M:(inputs)';
const STAGES = [
  [21, 32, 1, 3],
  [8, 32, 1, 2],
  [3, 64, 2, 1],
  [30, 128, 2, 4],
  [0, 256, 1, 2],
  [17, 1024, 2, 1],
] as const;
const tuple = ([k, c, s, r]: readonly number[]): string => `(cell_${k}, ${c}, ${s}, ${r})`;
const SIX_STAGES = `${PROMPT},${STAGES.map(tuple).join(',')},(head, 128),outputs`;

describe('domain tokenizer (method.md §12.3)', () => {
  it('has 1 086 tokens for 32 clusters: 4 + 5 + 4 + 14 + 1 + 32 + 2 + 1 024', () => {
    expect(new MacroTokenizer().vocabSize).toBe(4 + 5 + 4 + 14 + 1 + 32 + 2 + 1024);
    expect(new MacroTokenizer().vocabSize).toBe(1086);
    expect(new MacroTokenizer(5).vocabSize).toBe(1086 - 27);
  });

  it('encodes the §12.3 example token by token', () => {
    const t = new MacroTokenizer();
    const ids = t.encode(SIX_STAGES, { bos: true, eos: true });
    const tokens = Array.from(ids, (id) => t.token(id));
    const prompt = ['<bos>', 'num_classes', ':', '1', '0', ',', 'input_size', ':', '3', '2', ',', 'param', ':', '3', 'M', ',', 'flops', ':', '1', '1', '0', '0', 'M', ':(inputs)'];
    expect(prompt).toHaveLength(24);
    expect(tokens.slice(0, 24)).toEqual(prompt);
    const expected = [...prompt];
    for (const [k, c, s, r] of STAGES) expected.push(',', '(', `cell_${k}`, ',', `#${c}`, ',', `#${s}`, ',', `#${r}`, ')');
    expected.push(',', '(', 'head', ',', '#128', ')', ',', 'outputs', '<eos>');
    expect(tokens).toEqual(expected);
  });

  it('reproduces the §12.3 / §17.8 lengths', () => {
    const t = new MacroTokenizer();
    expect(t.encode(PROMPT, { bos: true })).toHaveLength(24);
    const oneStage = t.encode(`${PROMPT},${tuple(STAGES[0])},outputs`).length - t.encode(`${PROMPT},outputs`).length;
    const head = t.encode(`${PROMPT},(head, 128),outputs`).length - t.encode(`${PROMPT},outputs`).length;
    // Counted from the §12.3 example stream: a stage ", ( cell_k , #C , #s , #r )" is 10 tokens,
    // the head ", ( head , #F )" 6, the tail ", outputs" 2. (§12.3/§17.8 say 9 per stage, hence 86
    // and 203; the example they encode has 10.)
    expect(oneStage).toBe(10);
    expect(head).toBe(6);
    expect(t.encode(SIX_STAGES, { bos: true })).toHaveLength(24 + 6 * 10 + 6 + 2);
    expect(t.encode(SIX_STAGES, { bos: true, eos: true })).toHaveLength(93);
    const longest = `${PROMPT},${Array.from({ length: 19 }, () => '(cell_1, 8, 1, 1)').join(',')},(head, 8),outputs`;
    expect(t.encode(longest, { bos: true, eos: true })).toHaveLength(24 + 19 * 10 + 6 + 2 + 1);
  });

  it('decodes to the canonical §12.2 text, whatever the input spacing', () => {
    const t = new MacroTokenizer();
    expect(t.decode(t.encode(SIX_STAGES, { bos: true, eos: true }))).toBe(SIX_STAGES);
    const spaced = 'num_classes : 10, input_size:32,param:3M, flops:1100M :(inputs) , (cell_21,32,1,3),( head ,128 ),outputs';
    expect(t.decode(t.encode(spaced))).toBe('num_classes:10,input_size:32,param:3M,flops:1100M:(inputs),(cell_21, 32, 1, 3),(head, 128),outputs');
    // Decoding stops at <eos> and skips <pad>/<bos>.
    const ids = [t.bos, ...t.encode(PROMPT), t.pad, t.eos, t.comma];
    expect(t.decode(ids)).toBe(PROMPT);
  });

  it('spells prompt numbers digit by digit and completion integers as whole tokens', () => {
    const t = new MacroTokenizer();
    const ids = t.encode('num_classes:100,input_size:224,zc_score:1.347M:(inputs),(cell_31, 1024, 2, 4)');
    const tokens = Array.from(ids, (id) => t.token(id));
    expect(tokens.slice(0, 19)).toEqual(['num_classes', ':', '1', '0', '0', ',', 'input_size', ':', '2', '2', '4', ',', 'zc_score', ':', '1', '.', '3', '4', '7']);
    expect(tokens.slice(-9)).toEqual(['(', 'cell_31', ',', '#1024', ',', '#2', ',', '#4', ')']);
    expect(t.integerOf(t.integerToken(1024))).toBe(1024);
    expect(t.clusterOf(t.cellToken(31))).toBe(31);
    expect(t.integerOf(t.comma)).toBeNull();
  });

  it('rejects what the vocabulary cannot hold', () => {
    const t = new MacroTokenizer(4);
    expect(() => t.encode(`${PROMPT},(cell_4, 8, 1, 1)`)).toThrow(MacroTextError);
    expect(() => t.encode(`${PROMPT},(cell_1, 1025, 1, 1)`)).toThrow(/1\.\.1024/);
    expect(() => t.encode(`${PROMPT},(cell_1, 0, 1, 1)`)).toThrow(/1\.\.1024/);
    expect(() => t.encode(`${PROMPT},(cell_1, 8.5, 1, 1)`)).toThrow(/whole number/);
    expect(() => t.encode('num_classes:10,foo:3')).toThrow(/vocabulary/);
    expect(() => t.encode(`${PROMPT},(param, 8)`)).toThrow(/vocabulary/);
  });
});
