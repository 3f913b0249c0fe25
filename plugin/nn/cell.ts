/**
 * The cell module of method.md §3.1: an optional projection, one op per active intermediate node,
 * and an output that sums its predecessors.
 */
import { tf } from './tf.js';
import type { Tensor4D } from './tf.js';
import { CELL_NODES, INPUT_NODE, INTERMEDIATE_NODES, OUTPUT_NODE, type Cell } from '../space/types.js';
import { predecessors, validateCell } from '../space/cell.js';
import {
  BatchNormLayer,
  buildOp,
  ConvLayer,
  Relu,
  Sequential,
  type Block,
  type ForwardContext,
  type ParameterRegistry,
  type Spatial,
} from './layers.js';

export interface CellSpec {
  /** Layer id prefix, e.g. `stage2.rep0`. */
  readonly prefix: string;
  readonly cell: Cell;
  readonly inChannels: number;
  readonly outChannels: number;
  readonly stride: 1 | 2;
  readonly se: boolean;
  readonly inSize: Spatial;
}

interface NodeModule {
  readonly node: number;
  readonly preds: readonly number[];
  /** Fed only by the input of a shape-changing cell: reads the raw cell input (§3.1). */
  readonly readsRaw: boolean;
  readonly op: Block;
}

/** Throws a clear Error when the cell breaks a general validity rule (method.md §2.6). */
export function assertBuildableCell(cell: Cell, where: string): void {
  const problems = validateCell(cell);
  if (problems.length > 0) throw new Error(`${where}: invalid cell genotype: ${problems.join('; ')}`);
}

function sum(tensors: readonly Tensor4D[]): Tensor4D {
  return tensors.length === 1 ? tensors[0]! : (tf.addN(tensors as Tensor4D[]) as Tensor4D);
}

/** What a cell reads that can carry a gradient, for recomputing it (checkpoint.ts). */
export interface CellGradientInputs {
  /** Parameter keys the output depends on, in build order. */
  readonly parameterKeys: readonly string[];
  /** Conv/linear layers whose raw output feeds the cell output (tap probes ride on these). */
  readonly layerIds: readonly string[];
}

export class CellModule implements Block {
  readonly outChannels: number;
  readonly outSize: Spatial;
  /**
   * Parameters and layers whose values reach the cell output. An unused projection executes
   * (§3.1) but feeds nothing, so its parameters get no gradient and are left out.
   */
  private readonly live: { readonly keys: readonly string[]; readonly layerIds: readonly string[] };
  private readonly batchNormAffine: ReadonlySet<string>;
  private readonly projection: Sequential | null;
  private readonly nodes: NodeModule[] = [];
  private readonly outputPreds: readonly number[];

  constructor(registry: ParameterRegistry, spec: CellSpec) {
    assertBuildableCell(spec.cell, spec.prefix);
    const { prefix, cell, inChannels: cin, outChannels: cout, stride, se, inSize } = spec;
    const changesShape = stride > 1 || cin !== cout;
    const keysBefore = registry.parameters.size;
    const layersBefore = registry.layers.length;
    // Built (and later executed) whether or not a node reads it: the reference counts it (§3.1).
    if (changesShape) {
      const conv = new ConvLayer(registry, { id: `${prefix}.proj`, inChannels: cin, outChannels: cout, kernel: 1, stride, inSize });
      this.projection = new Sequential([
        new Relu(cin, inSize),
        conv,
        new BatchNormLayer(registry, `${prefix}.proj.bn`, cout, conv.outSize, true),
      ]);
    } else {
      this.projection = null;
    }
    const keysAfterProjection = registry.parameters.size;
    const layersAfterProjection = registry.layers.length;
    for (const v of INTERMEDIATE_NODES) {
      const preds = predecessors(cell, v);
      if (preds.length === 0) continue; // isolated: the `zero` op, never executed
      const readsRaw = changesShape && preds.length === 1 && preds[0] === INPUT_NODE;
      const op = buildOp(registry, {
        prefix: `${prefix}.node${v}`,
        op: cell.ops[v - 1]!,
        kernel: cell.kernels[v - 1]!,
        inChannels: readsRaw ? cin : cout,
        outChannels: cout,
        stride: readsRaw ? stride : 1,
        se,
        inSize: changesShape && !readsRaw ? this.projection!.outSize : inSize,
      });
      this.nodes.push({ node: v, preds, readsRaw, op });
    }
    this.outputPreds = predecessors(cell, OUTPUT_NODE);
    const projectionUsed =
      this.projection !== null &&
      (this.outputPreds.includes(INPUT_NODE) || this.nodes.some((n) => !n.readsRaw && n.preds.includes(INPUT_NODE)));
    const keys = [...registry.parameters.keys()];
    const layerIds = registry.layers.map((layer) => layer.id);
    this.live = {
      keys: [...(projectionUsed ? keys.slice(keysBefore, keysAfterProjection) : []), ...keys.slice(keysAfterProjection)],
      layerIds: [
        ...(projectionUsed ? layerIds.slice(layersBefore, layersAfterProjection) : []),
        ...layerIds.slice(layersAfterProjection),
      ],
    };
    this.batchNormAffine = registry.batchNormAffine;
    this.outChannels = cout;
    this.outSize = this.projection?.outSize ?? inSize;
    for (const n of this.nodes) {
      if (n.op.outChannels !== cout || n.op.outSize[0] !== this.outSize[0] || n.op.outSize[1] !== this.outSize[1]) {
        throw new Error(`${prefix}.node${n.node}: output ${n.op.outSize.join('×')}×${n.op.outChannels} does not match the cell output`);
      }
    }
  }

  /** The tensors to differentiate when the cell is recomputed; BN γ/β drop out when BN is bypassed. */
  gradientInputs(bypassBatchNorm: boolean): CellGradientInputs {
    return {
      parameterKeys: bypassBatchNorm ? this.live.keys.filter((key) => !this.batchNormAffine.has(key)) : this.live.keys,
      layerIds: this.live.layerIds,
    };
  }

  apply(ctx: ForwardContext, x: Tensor4D): Tensor4D {
    const values = new Array<Tensor4D | undefined>(CELL_NODES);
    values[INPUT_NODE] = this.projection === null ? x : this.projection.apply(ctx, x);
    const gather = (preds: readonly number[]): Tensor4D[] =>
      preds.map((p) => {
        const t = values[p];
        if (t === undefined) throw new Error(`cell node ${p} is read before it was computed`);
        return t;
      });
    for (const n of this.nodes) {
      values[n.node] = n.op.apply(ctx, n.readsRaw ? x : sum(gather(n.preds)));
    }
    return sum(gather(this.outputPreds));
  }
}
