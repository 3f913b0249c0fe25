/**
 * Synthetic corpus records for tests and the macro-LM benchmark: random cluster genotypes
 * within bounds, with params and FLOPs from a simple cost-like formula (so that the prompt
 * carries information about the completion, as measured costs do in a real corpus).
 */
import type { CorpusRecord } from '../../plugin/generators/corpus.js';
import type { ClusterStage } from '../../plugin/generators/types.js';
import type { MacroBounds } from '../../plugin/space/macro.js';
import { Rng } from '../../plugin/util/rng.js';

export function syntheticRecords(n: number, bounds: MacroBounds, numClusters: number, seed: number): CorpusRecord[] {
  const rng = new Rng(seed);
  const records: CorpusRecord[] = [];
  for (let i = 0; i < n; i++) {
    const numClasses = rng.pick([10, 100]);
    const inputSize = rng.pick([32, 64]);
    const count = rng.int(bounds.minStages, Math.min(bounds.maxStages, bounds.maxTotalCells));
    const stages: ClusterStage[] = [];
    let cells = 0;
    let downsamples = 0;
    for (let s = 0; s < count; s++) {
      const stillRequired = count - s - 1;
      const repeats = rng.int(1, Math.min(bounds.maxRepeats, bounds.maxTotalCells - cells - stillRequired));
      cells += repeats;
      const canDown = bounds.strides.includes(2) && (bounds.maxDownsamples === undefined || downsamples < bounds.maxDownsamples);
      const stride = canDown && (!bounds.strides.includes(1) || rng.next() < 0.5) ? 2 : 1;
      if (stride === 2) downsamples++;
      stages.push({ cluster: rng.int(0, numClusters - 1), channels: 8 * rng.int(bounds.minChannels / 8, bounds.maxChannels / 8), stride, repeats });
    }
    const headWidth = 8 * rng.int(bounds.minHeadWidth / 8, bounds.maxHeadWidth / 8);
    let params = headWidth * numClasses;
    let flops = 0;
    let side = inputSize;
    for (const s of stages) {
      if (s.stride === 2) side = Math.ceil(side / 2);
      params += 2 * s.repeats * s.channels * s.channels;
      flops += 4 * s.repeats * s.channels * s.channels * side * side;
    }
    records.push({ numClasses, inputSize, params, flops, tcet: rng.next() < 0.9 ? 1e5 * (1 + 20 * rng.next()) : null, genotype: { stages, headWidth } });
  }
  return records;
}
