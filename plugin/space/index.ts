/** Public API of the pure-TS search space (no tensors): cells, sampling, mutation, macro genotypes, costs, encodings. */
export * from './types.js';
export * from './cell.js';
export * from './sampler.js';
export * from './mutation.js';
export * from './macro.js';
export * from './cost.js';
export * from './encoding.js';
export * from './arch-json.js';
