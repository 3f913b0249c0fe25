/**
 * snip (standard literature definition, method.md §5.8; Lee et al. 2019 as used by Abdelfattah
 * et al. 2021): Σ_ℓ Σ |W_ℓ ⊙ ∂CE/∂W_ℓ|, the SNIP saliencies of §5.2 summed. It reads the per-layer
 * sums of the shared training pass (snip-snr.ts), so it costs nothing beside SNIP-SNR or TCET.
 */
import type { LayerSaliencies } from './snip-snr.js';

export function snipPerLayer(saliencies: LayerSaliencies): Map<string, number> {
  return new Map([...saliencies.layers].map(([id, stats]) => [id, stats.sum] as const));
}
