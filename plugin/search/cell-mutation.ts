/**
 * Macro mutation (method.md §10.3) with a chosen cell kind. `space/mutation.ts#mutateArch` always
 * flips a coin between RESAMPLE and CELLMUTATE; the baselines need to fix it (Zen-NAS and ZiCo
 * replace a block by a random one), so this module runs the same §10.3 procedure with the cell
 * step as a parameter. With `mixed` it consumes the generator exactly as `mutateArch` does and
 * returns the same child (tested), so the two cannot drift apart unnoticed.
 */
import { validateArch, type MacroBounds } from '../space/macro.js';
import { applyRepeatsMutation, MACRO_MUTATION_KINDS, mutateCell, REPEAT_DELTAS, WIDTH_MULTIPLIERS } from '../space/mutation.js';
import type { CellLabelOptions } from '../space/sampler.js';
import type { Arch, Cell, Stage } from '../space/types.js';
import type { Rng } from '../util/rng.js';

/**
 * How the `cell` kind changes a stage's cell: `resample` draws a fresh cell (RESAMPLE), `mutate`
 * applies the micro mutation of §2.9 (CELLMUTATE, falling back to RESAMPLE when no valid child
 * exists), `mixed` picks one of the two with probability ½ like `mutateArch`.
 */
export const CELL_MUTATIONS = ['resample', 'mutate', 'mixed'] as const;
export type CellMutation = (typeof CELL_MUTATIONS)[number];

export interface CellKindMutationOptions {
  readonly bounds: MacroBounds;
  /** A fresh cell from the §2.8 sampler, restricted to the recipe's labels. */
  readonly resampleCell: (rng: Rng) => Cell;
  readonly labels?: CellLabelOptions;
  readonly cellMutation: CellMutation;
}

function nextCell(current: Cell, rng: Rng, options: CellKindMutationOptions): Cell {
  switch (options.cellMutation) {
    case 'resample':
      return options.resampleCell(rng);
    case 'mutate':
      return mutateCell(current, rng, options.labels) ?? options.resampleCell(rng);
    case 'mixed': {
      const mutated = rng.next() < 0.5 ? mutateCell(current, rng, options.labels) : null;
      return mutated ?? options.resampleCell(rng);
    }
  }
}

/** floor8(clamp(x · mult, lo, hi)); lo and hi are multiples of 8, so the result stays in range. */
function scaleWidth(width: number, rng: Rng, lo: number, hi: number): number {
  const mult = rng.pick(WIDTH_MULTIPLIERS);
  return 8 * Math.floor(Math.min(hi, Math.max(lo, width * mult)) / 8);
}

/**
 * One §10.3 mutation: a uniform stage m, a uniform non-empty subset of kinds applied in the order
 * cell, channels, stride, repeats, head. Null when the child breaks a bound (discarded, §10.3).
 * The child may equal the parent; the caller decides what to do with duplicates.
 */
export function mutateArchWithCellKind(arch: Arch, rng: Rng, options: CellKindMutationOptions): Arch | null {
  const { bounds } = options;
  const stages: Stage[] = arch.stages.slice();
  let headWidth = arch.headWidth;
  const m = rng.int(0, stages.length - 1);
  const size = rng.int(1, MACRO_MUTATION_KINDS.length);
  const kinds = new Set(rng.subset(MACRO_MUTATION_KINDS, size));

  if (kinds.has('cell')) {
    stages[m] = { ...stages[m]!, cell: nextCell(stages[m]!.cell, rng, options) };
  }
  if (kinds.has('channels')) {
    stages[m] = { ...stages[m]!, channels: scaleWidth(stages[m]!.channels, rng, bounds.minChannels, bounds.maxChannels) };
  }
  if (kinds.has('stride')) {
    stages[m] = { ...stages[m]!, stride: rng.pick(bounds.strides) };
  }
  if (kinds.has('repeats')) {
    applyRepeatsMutation(stages, m, rng.pick(REPEAT_DELTAS), bounds);
  }
  if (kinds.has('head')) {
    headWidth = scaleWidth(headWidth, rng, bounds.minHeadWidth, bounds.maxHeadWidth);
  }
  const child: Arch = { ...arch, stages, headWidth };
  return validateArch(child, bounds).length === 0 ? child : null;
}
