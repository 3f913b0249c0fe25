/**
 * grad_norm (standard literature definition, method.md §5.8; Abdelfattah et al. 2021):
 * Σ_ℓ ‖∂CE/∂W_ℓ‖₂, the Frobenius norm of each conv/linear weight gradient summed over layers,
 * training-mode BN. The norms come from the shared training pass (snip-snr.ts).
 */
import type { LayerSaliencies } from './snip-snr.js';

export function gradNormPerLayer(saliencies: LayerSaliencies): Map<string, number> {
  return new Map([...saliencies.layers].map(([id, stats]) => [id, stats.gradNorm] as const));
}
