/**
 * Reconstruction metrics of the graph VAE (method.md §7.5 "test metrics"): every cell is encoded
 * to μ (inference), decoded to probabilities and compared with its own canonical encoding.
 */
import { cellFingerprint, isActive } from '../space/cell.js';
import { labelChoices, type CellLabelOptions } from '../space/sampler.js';
import { CELL_NODES, INTERMEDIATE_NODES, type Cell } from '../space/types.js';
import { ENCODED_NODES } from '../space/encoding.js';
import { decodeCellWithReport, decodeLabels, probabilitiesFromFlat } from './repair.js';
import type { GraphVae } from './vae-model.js';

export interface VaeMetrics {
  /** Share of intermediate rows (6 per cell, isolated ones included) whose masked-argmax op and kernel both match. */
  readonly opKernelAccuracy: number;
  /**
   * The same over active intermediate rows only. An isolated node's op and kernel are arbitrary
   * labels that never reach the network (method.md §2.5: the fingerprint ignores them), so no
   * encoder can predict them for an unseen cell; this is the accuracy on what defines the network.
   */
  readonly activeOpKernelAccuracy: number;
  /** Share of intermediate rows that are isolated in the evaluated cells. */
  readonly isolatedShare: number;
  /** Share of the 28 base strict-upper-triangle entries (global node dropped) whose 0.5-thresholded probability matches. */
  readonly edgeAccuracy: number;
  /** Mean predicted probability on the true edges of that triangle. */
  readonly meanProbTrueEdges: number;
  /** Mean predicted probability on its absent edges. */
  readonly meanProbAbsentEdges: number;
  /** Share of decodeCell(decode(encode(cell))) that is a valid cell (the fallback included). */
  readonly validity: number;
  /** Share of those decodes that needed the most-probable-edge fallback (invalid by §9.9 alone). */
  readonly fallbackRate: number;
  /** Share whose decoded cell is the same network (equal fingerprint, §2.5). */
  readonly exactMatch: number;
}

/** Metrics over `cells`, processed in chunks so that memory stays bounded. */
export function vaeMetrics(vae: GraphVae, cells: readonly Cell[], labels?: CellLabelOptions): VaeMetrics {
  labelChoices(labels);
  let nodeHits = 0;
  let activeHits = 0;
  let activeRows = 0;
  let edgeHits = 0;
  let trueSum = 0;
  let trueCount = 0;
  let absentSum = 0;
  let absentCount = 0;
  let valid = 0;
  let fallback = 0;
  let exact = 0;
  const chunk = 256;
  for (let start = 0; start < cells.length; start += chunk) {
    const part = cells.slice(start, start + chunk);
    const decoded = vae.decode(vae.encode(part).mu);
    part.forEach((cell, b) => {
      const { adj, feat } = decoded[b]!;
      const probs = probabilitiesFromFlat(adj, feat);
      const { ops, kernels } = decodeLabels(probs.feat, labels);
      for (const v of INTERMEDIATE_NODES) {
        const hit = ops[v - 1] === cell.ops[v - 1] && kernels[v - 1] === cell.kernels[v - 1];
        if (hit) nodeHits++;
        if (isActive(cell, v)) {
          activeRows++;
          if (hit) activeHits++;
        }
      }
      for (let i = 0; i < CELL_NODES; i++) {
        for (let j = i + 1; j < CELL_NODES; j++) {
          const p = adj[(i + 1) * ENCODED_NODES + (j + 1)]!;
          const truth = cell.adj[i]![j] === 1;
          if ((p > 0.5) === truth) edgeHits++;
          if (truth) { trueSum += p; trueCount++; } else { absentSum += p; absentCount++; }
        }
      }
      const report = decodeCellWithReport(probs, labels);
      if (report.cell !== null) {
        valid++;
        if (cellFingerprint(report.cell) === cellFingerprint(cell)) exact++;
      }
      if (report.usedFallback) fallback++;
    });
  }
  const n = cells.length;
  const edgesPerCell = (CELL_NODES * (CELL_NODES - 1)) / 2;
  return {
    opKernelAccuracy: nodeHits / (n * INTERMEDIATE_NODES.length),
    activeOpKernelAccuracy: activeRows > 0 ? activeHits / activeRows : Number.NaN,
    isolatedShare: 1 - activeRows / (n * INTERMEDIATE_NODES.length),
    edgeAccuracy: edgeHits / (n * edgesPerCell),
    meanProbTrueEdges: trueCount > 0 ? trueSum / trueCount : Number.NaN,
    meanProbAbsentEdges: absentCount > 0 ? absentSum / absentCount : Number.NaN,
    validity: valid / n,
    fallbackRate: fallback / n,
    exactMatch: exact / n,
  };
}
