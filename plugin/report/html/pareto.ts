/** The Pareto front of "maximise fitness, minimise cost" over scored candidates. */

export interface CostFitness {
  readonly cost: number;
  readonly fitness: number;
}

/**
 * Indices of the non-dominated points, sorted by cost (then fitness) ascending. A point is
 * dominated when another costs no more and scores no less, and is strictly better in one of the
 * two; exact duplicates of a front point are both on the front.
 */
export function paretoFront(points: readonly CostFitness[]): number[] {
  const order = points
    .map((p, i) => ({ p, i }))
    .filter(({ p }) => Number.isFinite(p.cost) && Number.isFinite(p.fitness))
    .sort((a, b) => a.p.cost - b.p.cost || b.p.fitness - a.p.fitness);
  const front: number[] = [];
  // Sweeping by ascending cost, a point is on the front iff it beats every cheaper point's
  // fitness (or ties the best one at exactly the same cost and fitness).
  let best = -Infinity;
  let bestCost = NaN;
  for (const { p, i } of order) {
    if (p.fitness > best) {
      front.push(i);
      best = p.fitness;
      bestCost = p.cost;
    } else if (p.fitness === best && p.cost === bestCost) {
      front.push(i);
    }
  }
  return front.sort((a, b) => points[a]!.cost - points[b]!.cost || points[a]!.fitness - points[b]!.fitness);
}
