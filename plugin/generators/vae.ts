/**
 * The graph VAE of method.md §7 (metric space): model, losses, training loop and metrics.
 * One import point for the pretrain command and the CellGenerator.
 */
export { GraphVae, DEFAULT_VAE_CONFIG, PAPER_VAE_CONFIG, vaeParameterShapes, encodeCellsToArrays, type VaeConfig, type VaeForward } from './vae-model.js';
export { trainVae, heldOutLoss, type VaeTrainData, type VaeTrainOptions, type VaeTrainReport, type VaeEpochRecord } from './vae-train.js';
export { vaeMetrics, type VaeMetrics } from './vae-metrics.js';
export { KL_WEIGHT, FEATURE_POS_WEIGHT, TRIPLET_RADIUS, TRIPLET_MARGIN, mineTriplets, type Triplet } from './vae-loss.js';
