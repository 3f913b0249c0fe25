import { describe, expect, it } from 'vitest';
import { CompletionGrammar } from '../../plugin/generators/grammar.js';
import { completionLimits, MacroTextError, parseSequence } from '../../plugin/generators/macro-text.js';
import { MacroTokenizer } from '../../plugin/generators/tokenizer.js';
import type { ClusterGenotype } from '../../plugin/generators/types.js';
import { DEFAULT_MACRO_BOUNDS, type MacroBounds } from '../../plugin/space/macro.js';
import { Rng } from '../../plugin/util/rng.js';

const PROMPT = 'num_classes:10,input_size:32,param:1M:(inputs)';

const BOUND_SETS: ReadonlyArray<{ name: string; bounds: MacroBounds; clusters: number }> = [
  { name: '§10.2 domains', bounds: DEFAULT_MACRO_BOUNDS, clusters: 32 },
  {
    name: 'tight recipe bounds',
    bounds: { minStages: 3, maxStages: 5, maxTotalCells: 7, minChannels: 16, maxChannels: 96, maxRepeats: 3, strides: [1, 2], minHeadWidth: 32, maxHeadWidth: 64, maxDownsamples: 2 },
    clusters: 8,
  },
  {
    name: 'stride 2 only, head 128 allowed',
    bounds: { minStages: 2, maxStages: 19, maxTotalCells: 12, minChannels: 8, maxChannels: 1024, maxRepeats: 4, strides: [2], minHeadWidth: 64, maxHeadWidth: 256, maxDownsamples: 4 },
    clusters: 32,
  },
  {
    name: 'one stage exactly',
    bounds: { minStages: 1, maxStages: 1, maxTotalCells: 4, minChannels: 8, maxChannels: 8, maxRepeats: 4, strides: [1], minHeadWidth: 8, maxHeadWidth: 16 },
    clusters: 3,
  },
];

/** Independent statement of the bounds, written out field by field. */
function withinBounds(g: ClusterGenotype, b: MacroBounds, clusters: number): boolean {
  const cells = g.stages.reduce((a, s) => a + s.repeats, 0);
  const downsamples = g.stages.filter((s) => s.stride === 2).length;
  return (
    g.stages.length >= b.minStages &&
    g.stages.length <= b.maxStages &&
    cells <= b.maxTotalCells &&
    cells <= 19 &&
    (b.maxDownsamples === undefined || downsamples <= b.maxDownsamples) &&
    g.stages.every(
      (s) =>
        Number.isInteger(s.cluster) && s.cluster >= 0 && s.cluster < clusters &&
        s.channels % 8 === 0 && s.channels >= b.minChannels && s.channels <= b.maxChannels &&
        b.strides.includes(s.stride) &&
        s.repeats >= 1 && s.repeats <= b.maxRepeats,
    ) &&
    g.headWidth % 8 === 0 && g.headWidth >= b.minHeadWidth && g.headWidth <= b.maxHeadWidth
  );
}

function allowedIds(mask: Uint8Array): number[] {
  const out: number[] = [];
  mask.forEach((m, i) => {
    if (m === 1) out.push(i);
  });
  return out;
}

/**
 * A token-level oracle built on the parser alone: 'complete' when the completion tokens form a
 * whole sequence that parses within the bounds (ending in <eos>), 'prefix' when they are the
 * canonical encoding of their text and the parser only ran out of text, 'dead' otherwise.
 */
function verdict(t: MacroTokenizer, completion: readonly number[], bounds: MacroBounds, clusters: number): 'complete' | 'prefix' | 'dead' {
  const eosAt = completion.indexOf(t.eos);
  if (eosAt >= 0 && eosAt !== completion.length - 1) return 'dead';
  const body = eosAt >= 0 ? completion.slice(0, -1) : completion;
  const text = PROMPT + t.decode(body);
  let reencoded: Int32Array;
  try {
    reencoded = t.encode(text);
  } catch {
    return 'dead';
  }
  const promptLength = t.encode(PROMPT).length;
  if (reencoded.length !== promptLength + body.length || body.some((id, i) => reencoded[promptLength + i] !== id)) return 'dead';
  try {
    parseSequence(text, { bounds, numClusters: clusters });
    return eosAt >= 0 ? 'complete' : 'prefix'; // a whole sequence still needs its <eos>
  } catch (e) {
    if (!(e instanceof MacroTextError)) throw e;
    return eosAt < 0 && e.found === 'the end of the text' ? 'prefix' : 'dead';
  }
}

/**
 * Whether some completion of `prefix` parses within the bounds: a depth-first search guided by
 * the parser over a reduced alphabet holding the smallest value of every field (cluster 0,
 * channels min, strides, repeats 1, F min). Smallest values never hurt: a valid completion with
 * larger ones stays valid when they shrink. Returns null when the node budget runs out.
 */
function completable(t: MacroTokenizer, prefix: readonly number[], b: MacroBounds, clusters: number, budget = { nodes: 20_000 }): boolean | null {
  const alphabet = [...new Set([t.eos, t.outputs, t.close, t.comma, t.open, t.head, t.cellToken(0), t.integerToken(b.minHeadWidth), t.integerToken(b.minChannels), t.integerToken(1), t.integerToken(2)])];
  const search = (tokens: number[]): boolean | null => {
    if (budget.nodes-- <= 0) return null;
    const v = verdict(t, tokens, b, clusters);
    if (v === 'complete') return true;
    if (v === 'dead') return false;
    let unknown = false;
    for (const id of alphabet) {
      const r = search([...tokens, id]);
      if (r === true) return true;
      if (r === null) unknown = true;
    }
    return unknown ? null : false;
  };
  return search([...prefix]);
}

describe('completion grammar (method.md §12.8)', () => {
  for (const { name, bounds, clusters } of BOUND_SETS) {
    it(`random walks over allowed tokens always parse within the bounds (${name})`, () => {
      const t = new MacroTokenizer(clusters);
      const grammar = new CompletionGrammar(completionLimits(clusters, bounds), t);
      const rng = new Rng(11);
      const promptIds = t.encode(PROMPT);
      const seenStageCounts = new Set<number>();
      for (let walk = 0; walk < 800; walk++) {
        let state = grammar.start();
        const tokens: number[] = [];
        while (!grammar.isDone(state)) {
          const ids = allowedIds(grammar.allowed(state));
          expect(ids.length, `dead end after ${t.decode(tokens)}`).toBeGreaterThan(0);
          const id = rng.pick(ids);
          tokens.push(id);
          state = grammar.advance(state, id);
        }
        expect(tokens[tokens.length - 1]).toBe(t.eos);
        const text = PROMPT + t.decode(tokens);
        const { genotype } = parseSequence(text, { bounds, numClusters: clusters });
        expect(withinBounds(genotype, bounds, clusters), text).toBe(true);
        // The walk is the canonical encoding of its text.
        expect(Array.from(t.encode(text, { eos: true }))).toEqual([...promptIds, ...tokens]);
        seenStageCounts.add(genotype.stages.length);
      }
      // The walks reach both ends of the stage-count range.
      expect(seenStageCounts.has(bounds.minStages)).toBe(true);
      if (bounds.maxStages > bounds.minStages) expect(Math.max(...seenStageCounts)).toBeGreaterThan(bounds.minStages);
    });

    it(`every sampled forbidden token kills the text, every allowed one keeps it completable (${name})`, () => {
      const t = new MacroTokenizer(clusters);
      const grammar = new CompletionGrammar(completionLimits(clusters, bounds), t);
      const rng = new Rng(5);
      let forbiddenChecked = 0;
      let allowedChecked = 0;
      for (let walk = 0; walk < 80; walk++) {
        // A random prefix: walk a random number of steps.
        let state = grammar.start();
        const prefix: number[] = [];
        const length = rng.int(0, 60);
        while (prefix.length < length && !grammar.isDone(state)) {
          const id = rng.pick(allowedIds(grammar.allowed(state)));
          prefix.push(id);
          state = grammar.advance(state, id);
        }
        const mask = grammar.allowed(state);
        // Forbidden tokens near the grammar's choices (integers, names, punctuation) and anywhere.
        const near = [t.eos, t.outputs, t.close, t.comma, t.open, t.head, t.cellToken(rng.int(0, clusters - 1)), t.integerToken(rng.int(1, 1024)), t.integerToken(rng.int(1, 5)), t.integerToken(8 * rng.int(1, 128))];
        const candidates = [...near, ...Array.from({ length: 6 }, () => rng.int(0, t.vocabSize - 1))];
        for (const id of new Set(candidates)) {
          if (mask[id] === 1) continue;
          expect(completable(t, [...prefix, id], bounds, clusters), `${t.decode(prefix)} + ${t.token(id)}`).toBe(false);
          forbiddenChecked++;
        }
        const allowed = allowedIds(mask);
        for (const id of allowed.length === 0 ? [] : allowed.slice(0, 3).concat(rng.pick(allowed))) {
          expect(completable(t, [...prefix, id], bounds, clusters), `${t.decode(prefix)} + ${t.token(id)}`).toBe(true);
          allowedChecked++;
        }
      }
      expect(forbiddenChecked).toBeGreaterThan(300);
      expect(allowedChecked).toBeGreaterThanOrEqual(40);
    });
  }

  it('limits repeats by the cells left and reserves cells for the stages still required', () => {
    const t = new MacroTokenizer(4);
    const bounds: MacroBounds = { minStages: 3, maxStages: 6, maxTotalCells: 6, minChannels: 8, maxChannels: 64, maxRepeats: 4, strides: [1, 2], minHeadWidth: 8, maxHeadWidth: 64 };
    const grammar = new CompletionGrammar(completionLimits(4, bounds), t);
    const stage = (k: number, c: number, s: number, r: number | null): number[] => {
      const ids = [t.comma, t.open, t.cellToken(k), t.comma, t.integerToken(c), t.comma, t.integerToken(s), t.comma];
      return r === null ? ids : [...ids, t.integerToken(r), t.close];
    };
    const repeatsAllowed = (prefix: number[]): number[] => allowedIds(grammar.maskAfter(prefix)).map((id) => t.integerOf(id)!);
    // First stage: 6 cells, 2 more stages required → at most 4 (= maxRepeats).
    expect(repeatsAllowed(stage(0, 8, 1, null))).toEqual([1, 2, 3, 4]);
    // After 4 cells: 2 left, 1 more stage required after this one → at most 1.
    expect(repeatsAllowed([...stage(0, 8, 1, 4), ...stage(1, 8, 1, null)])).toEqual([1]);
    // Two stages, 5 cells: the third may take the last cell only.
    expect(repeatsAllowed([...stage(0, 8, 1, 4), ...stage(1, 8, 1, 1), ...stage(2, 8, 1, null)])).toEqual([1]);
    // With 2 stages done, "(" may only lead to a cluster (no head before minStages) and outputs is refused.
    const twoStages = [...stage(0, 8, 1, 1), ...stage(1, 8, 1, 1), t.comma];
    expect(grammar.maskAfter(twoStages)[t.outputs]).toBe(0);
    expect(grammar.maskAfter([...twoStages, t.open])[t.head]).toBe(0);
    // All 6 cells used by 3 stages: no further cluster, only the head; outputs (F = 128 > 64) refused.
    const full = [...stage(0, 8, 1, 4), ...stage(1, 8, 1, 1), ...stage(2, 8, 1, 1), t.comma];
    expect(grammar.maskAfter(full)[t.outputs]).toBe(0);
    expect(allowedIds(grammar.maskAfter([...full, t.open]))).toEqual([t.head]);
    // Channels: exactly the multiples of 8 in [8, 64].
    expect(allowedIds(grammar.maskAfter([t.comma, t.open, t.cellToken(3), t.comma])).map((id) => t.integerOf(id))).toEqual([8, 16, 24, 32, 40, 48, 56, 64]);
    expect(() => grammar.advance(grammar.start(), t.open)).toThrow(/not allowed/);
  });
});
