/** Recipe → the search space and budget a method works in. */
import type { Recipe } from '../recipe/types.js';
import type { Budget } from '../search/budget.js';
import type { SpaceContext } from '../search/random.js';
import type { MacroBounds } from '../space/macro.js';
import type { Task } from '../tasks/types.js';

export function macroBounds(recipe: Recipe): MacroBounds {
  const s = recipe.space;
  return {
    minStages: s.stages.min,
    maxStages: s.stages.max,
    maxTotalCells: s.totalCells.max,
    minChannels: s.channels.min,
    maxChannels: s.channels.max,
    maxRepeats: s.repeats.max,
    strides: [...s.strides],
    minHeadWidth: s.headWidth.min,
    maxHeadWidth: s.headWidth.max,
  };
}

export function spaceContext(recipe: Recipe, task: Task): SpaceContext {
  const stemStride = recipe.task.stemStride === 'auto' ? task.defaultStemStride : recipe.task.stemStride;
  return {
    input: task.inputShape,
    numClasses: task.numClasses,
    ...(task.output?.head === 'dense' ? { head: 'dense' as const } : {}),
    stemStride,
    se: recipe.space.se,
    bounds: macroBounds(recipe),
    ops: [...recipe.space.ops],
    kernels: [...recipe.space.kernels],
  };
}

export function recipeBudget(recipe: Recipe): Budget {
  return {
    maxParams: recipe.constraints.params,
    maxFlops: recipe.constraints.flops,
    minParams: recipe.constraints.minParams,
  };
}
