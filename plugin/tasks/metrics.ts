import type { Metric } from './types.js';

export const accuracy: Metric = {
  name: 'accuracy',
  direction: 'max',
  compute(predictions, labels) {
    if (predictions.length !== labels.length) {
      throw new RangeError(`accuracy: ${predictions.length} predictions for ${labels.length} labels`);
    }
    if (labels.length === 0) return Number.NaN;
    let hits = 0;
    for (let i = 0; i < labels.length; i++) if (predictions[i] === labels[i]) hits++;
    return hits / labels.length;
  },
};
