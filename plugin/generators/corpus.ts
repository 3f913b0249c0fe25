/**
 * The transformer's training corpus (method.md §12.6): one line per in-budget search record,
 * whose prompt holds the record's MEASURED params and FLOPs (so the model learns what a request
 * produces) and, on a seeded random half of the lines, its TCET as `zc_score`.
 */
import { Rng } from '../util/rng.js';
import { DEFAULT_NUM_CLUSTERS, printSequence } from './macro-text.js';
import type { ClusterGenotype } from './types.js';

export interface CorpusRecord {
  readonly numClasses: number;
  readonly inputSize: number;
  readonly params: number;
  readonly flops: number;
  /** Measured TCET; null when it was not computed. */
  readonly tcet: number | null;
  /** The record's stages with each cell replaced by its GMM cluster id. */
  readonly genotype: ClusterGenotype;
}

/**
 * One §12.2 line: `param` in M with two decimals, `flops` in M as an integer, `zc_score` in M
 * with three decimals (trailing zeros dropped). The text has no minus sign, so a negative or
 * non-finite TCET is left out even when `includeZc` asks for it.
 */
export function corpusLine(record: CorpusRecord, includeZc: boolean, numClusters = DEFAULT_NUM_CLUSTERS): string {
  const zcScore = includeZc && record.tcet !== null && Number.isFinite(record.tcet) && record.tcet >= 0 ? record.tcet : null;
  return printSequence(
    { numClasses: record.numClasses, inputSize: record.inputSize, params: record.params, flops: record.flops, zcScore },
    record.genotype,
    numClusters,
  );
}

/** All records as lines, in order; `zc_score` on a seeded random ⌊n/2⌋ of them. Cluster ids run over 0..numClusters − 1. */
export function buildCorpus(records: readonly CorpusRecord[], seed: number, numClusters = DEFAULT_NUM_CLUSTERS): string[] {
  const rng = new Rng(seed);
  const withZc = new Set(rng.subset(records.map((_, i) => i), Math.floor(records.length / 2)));
  return records.map((r, i) => corpusLine(r, withZc.has(i), numClusters));
}
