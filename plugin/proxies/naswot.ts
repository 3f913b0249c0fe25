/**
 * NASWOT, ReLU version (standard literature definition, method.md §5.8; Mellor et al. 2021,
 * "Neural Architecture Search without Training"): inference mode; every ReLU's input is
 * binarised ([pre-activation > 0]), the codes of all ReLUs form one vector per sample, and the
 * score is the safe logdet (§5.3) of K = c cᵀ + (1 − c)(1 − c)ᵀ, i.e. of the sum of the per-ReLU
 * agreement matrices. The builder reports ReLU inputs through `onReluInput`, so the codes are
 * collected in the same inference pass as the conv/linear NWOT kernels (nwot.ts) and summed on
 * the host, where integer counts stay exact (§15.1).
 */
import { safeLogDet } from './logdet.js';
import type { LayerKernels } from './nwot.js';

export function naswotScore(kernels: LayerKernels): number {
  if (kernels.reluKernel === null) throw new Error('NASWOT: the inference pass did not collect ReLU codes');
  if (kernels.nonFiniteRelus > 0) throw new Error(`NASWOT: ${kernels.nonFiniteRelus} ReLU input(s) held NaN or ±∞`);
  return safeLogDet(kernels.reluKernel, kernels.batch);
}
