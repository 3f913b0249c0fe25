/**
 * The NAS-Bench-360 "table value" (nas-bench-360.md §2.2 and §6 item 5): the benchmark prints
 * errors, lower is better in every column. Accuracies become 0-1 error in percent, FNR is printed
 * in percent, higher-is-better metrics in [0, 1] become 1 − x, and lower-is-better metrics in
 * natural units (relative L2, MAE₈ in Å, 1 − AUROC) are printed as they are.
 */
import type { MetricDirection } from '../types.js';

export type TableForm = 'error-percent' | 'percent' | 'one-minus' | 'as-is';

/** Table forms of the metric names the benchmark uses; other names fall back on direction. */
const TABLE_FORMS: Readonly<Record<string, TableForm>> = {
  accuracy: 'error-percent',
  fnr: 'percent',
};

export function tableForm(metric: { readonly name: string; readonly direction: MetricDirection }): TableForm {
  return TABLE_FORMS[metric.name] ?? (metric.direction === 'max' ? 'one-minus' : 'as-is');
}

/**
 * Converts a raw metric value to the benchmark's lower-is-better table form:
 * accuracy → 100·(1 − acc); fnr → 100·fnr; any other higher-is-better metric → 1 − x;
 * any other lower-is-better metric → x. NaN stays NaN.
 */
export function lowerIsBetter(
  metric: { readonly name: string; readonly direction: MetricDirection },
  value: number,
): number {
  switch (tableForm(metric)) {
    case 'error-percent':
      return 100 * (1 - value);
    case 'percent':
      return 100 * value;
    case 'one-minus':
      return 1 - value;
    case 'as-is':
      return value;
  }
}
