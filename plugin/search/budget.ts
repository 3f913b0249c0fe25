/**
 * Hard budgets (method.md §4.3): measured by the analytic cost model on the network as it will
 * be trained, checked before any tensor work. An over-budget draw is discarded and does not count
 * as an evaluation.
 */
import type { Cost } from '../space/types.js';

export interface Budget {
  readonly maxParams: number | null;
  readonly maxFlops: number | null;
  readonly minParams: number | null;
}

/** Why `cost` breaks the budget, or null when it fits. */
export function budgetViolation(cost: Cost, budget: Budget): string | null {
  if (budget.maxParams !== null && cost.params > budget.maxParams) {
    return `params ${cost.params} > ${budget.maxParams}`;
  }
  if (budget.maxFlops !== null && cost.flops > budget.maxFlops) {
    return `FLOPs ${cost.flops} > ${budget.maxFlops}`;
  }
  if (budget.minParams !== null && cost.params < budget.minParams) {
    return `params ${cost.params} < ${budget.minParams}`;
  }
  return null;
}
