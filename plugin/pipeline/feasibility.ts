/**
 * "Impossible budget" detection before any work: the cheapest network the space allows (one
 * stage, one repeat, narrowest widths, a one-node cell with the cheapest allowed op) must fit
 * the hard budgets, otherwise no candidate ever can.
 */
import { archCost } from '../space/cost.js';
import type { Arch, Cell, KernelSize, OpName } from '../space/types.js';
import type { Budget } from '../search/budget.js';
import type { SpaceContext } from '../search/random.js';

function singleNodeCell(op: OpName, kernel: KernelSize): Cell {
  const adj: (0 | 1)[][] = Array.from({ length: 8 }, () => Array<0 | 1>(8).fill(0));
  adj[0]![1] = 1;
  adj[1]![7] = 1;
  adj[0]![7] = 1; // three edges: the minimum a valid cell has (method.md §2.6 G5)
  return { adj, ops: Array<OpName>(6).fill(op), kernels: Array<KernelSize>(6).fill(kernel) };
}

export interface CheapestNetwork {
  readonly arch: Arch;
  readonly params: number;
  readonly flops: number;
}

export function cheapestNetwork(space: SpaceContext): CheapestNetwork {
  let best: CheapestNetwork | null = null;
  for (const op of space.ops) {
    for (const kernel of space.kernels) {
      const arch: Arch = {
        input: space.input,
        numClasses: space.numClasses,
        stemStride: space.stemStride,
        se: space.se,
        headWidth: space.bounds.minHeadWidth,
        ...(space.head === 'dense' ? { head: 'dense' as const } : {}),
        stages: [{ cell: singleNodeCell(op, kernel), channels: space.bounds.minChannels, stride: 1, repeats: 1 }],
      };
      const cost = archCost(arch);
      if (!best || cost.params < best.params || (cost.params === best.params && cost.flops < best.flops)) {
        best = { arch, params: cost.params, flops: cost.flops };
      }
    }
  }
  return best!;
}

/** Problems with the budget, each naming the recipe field and the smallest value that could work. */
export function budgetProblems(space: SpaceContext, budget: Budget): { path: string; message: string }[] {
  const cheapest = cheapestNetwork(space);
  const problems: { path: string; message: string }[] = [];
  if (budget.maxParams !== null && cheapest.params > budget.maxParams) {
    problems.push({
      path: 'constraints.params',
      message: `impossible budget: the smallest network this space allows has ${cheapest.params} parameters (> ${budget.maxParams}); raise constraints.params to at least ${cheapest.params} or narrow space.channels / space.headWidth`,
    });
  }
  if (budget.maxFlops !== null && cheapest.flops > budget.maxFlops) {
    problems.push({
      path: 'constraints.flops',
      message: `impossible budget: the smallest network this space allows needs ${cheapest.flops} FLOPs (> ${budget.maxFlops}); raise constraints.flops to at least ${cheapest.flops}`,
    });
  }
  return problems;
}
