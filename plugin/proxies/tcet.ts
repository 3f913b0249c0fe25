/**
 * TCET, SNIP flavour with log1p (method.md §5.4): Σ_ℓ lnwot_ℓ · log(1 + SNR_ℓ), the two per-layer
 * lists paired by layer id, never by position (§14 P11).
 */

/** log(1 + snr), with NaN or ±∞ replaced by 0 (§5.4). */
export function safeLog1p(snr: number): number {
  const v = Math.log1p(snr);
  return Number.isFinite(v) ? v : 0;
}

/**
 * TCET over `layerIds` with lnwot and SNR looked up by id. A layer missing from either map is an
 * error: pairing must never fall back to position.
 */
export function tcetFromLayers(
  layerIds: Iterable<string>,
  lnwot: ReadonlyMap<string, number>,
  snr: ReadonlyMap<string, number>,
): { value: number; perLayer: Record<string, number> } {
  let value = 0;
  const perLayer: Record<string, number> = {};
  for (const id of layerIds) {
    const l = lnwot.get(id);
    const s = snr.get(id);
    if (l === undefined) throw new Error(`TCET: no layer-wise NWOT for layer ${id}`);
    if (s === undefined) throw new Error(`TCET: no SNR for layer ${id}`);
    const term = l * safeLog1p(s);
    perLayer[id] = term;
    value += term;
  }
  return { value, perLayer };
}
