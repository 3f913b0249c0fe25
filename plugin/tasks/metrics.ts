/** Kept as the historical entry point; the metrics live in `./metrics/`. */
export * from './metrics/index.js';
