/**
 * A task's output side as one value: the declared `Task.output`, or for a single-label
 * classification task the pooled head, cross-entropy and its metric on arg-max predictions.
 */
import { argmaxRows } from './metrics/classification.js';
import type { MetricResult } from './metrics/result.js';
import { lowerIsBetter } from './metrics/table.js';
import type { Metric, Split, Task, TaskOutput } from './types.js';

/** A class-label metric as a MetricResult (with the NAS-Bench-360 table value). */
export function classificationResult(metric: Metric, predictions: Int32Array, labels: Int32Array): MetricResult {
  const value = metric.compute(predictions, labels);
  return { name: metric.name, value, direction: metric.direction, tableValue: lowerIsBetter(metric, value), variant: 'top-1' };
}

export function taskOutput(task: Task): TaskOutput {
  if (task.output !== undefined) return task.output;
  return {
    kind: 'classification',
    head: 'pooled',
    loss: 'cross-entropy',
    size: task.numClasses,
    evaluate: (outputs: Float32Array, split: Split) => classificationResult(task.metric, argmaxRows(outputs, task.numClasses), split.y),
  };
}

/**
 * `Task.metric` of a task judged from raw outputs (`TaskOutput.evaluate`): it names the official
 * metric and its direction; asking it to score arg-max classes is a programming error.
 */
export function outputMetric(name: string, direction: 'max' | 'min'): Metric {
  return {
    name,
    direction,
    compute() {
      throw new Error(`metric ${name} is computed from the network outputs (Task.output.evaluate), not from predicted classes`);
    },
  };
}
