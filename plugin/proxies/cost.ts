/**
 * params and flops as proxies: the analytic cost model of method.md §4 (space/cost.ts) applied
 * to the network's genotype, with no tensor work. The cost model's parameter count equals the
 * built network's trainable parameter count exactly (design.md §3), and its FLOPs follow the
 * ptflops rules of §4.2 (2 × MACs at batch 1).
 */
import type { Network } from '../nn/types.js';
import { archCost } from '../space/cost.js';
import type { Cost } from '../space/types.js';

export function networkCost(net: Network): Cost {
  return archCost(net.arch);
}
