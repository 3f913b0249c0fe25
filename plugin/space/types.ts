/**
 * Genotype types shared by every layer of hgnas. Pure data: no tensors, no I/O.
 *
 * Indexing follows method.md §2.1 ("base" indexing): node 0 = cell input, 1..6 = intermediate
 * nodes, 7 = cell output. The 9×9 / 9×15 reference encoding (with the virtual global node in
 * front) is only an import/export format (see space/encoding.ts).
 */

/** Op ids 1..9 in this order (method.md §2.2); index i holds op id i + 1. */
export const OP_NAMES = [
  'avg_pool',
  'conv',
  'sep_conv',
  'dil_conv',
  'mbconv_e2',
  'mbconv_e3',
  'mbconv_e6',
  'bconv_e0.5',
  'bconv_e0.25',
] as const;
export type OpName = (typeof OP_NAMES)[number];

export const KERNEL_SIZES = [1, 3, 5] as const;
export type KernelSize = (typeof KERNEL_SIZES)[number];

/** Number of nodes in the base graph: input, 6 intermediates, output. */
export const CELL_NODES = 8;
export const INPUT_NODE = 0;
export const OUTPUT_NODE = 7;
export const INTERMEDIATE_NODES = [1, 2, 3, 4, 5, 6] as const;

/**
 * A micro cell in canonical base form.
 * `adj[i][j] === 1` means the edge i → j (only i < j; no self loops here).
 * `ops[v-1]`, `kernels[v-1]` label intermediate node v (isolated nodes carry a label too, as in
 * the reference encoding; it has no effect on the network).
 */
export interface Cell {
  readonly adj: ReadonlyArray<ReadonlyArray<0 | 1>>;
  readonly ops: readonly OpName[];
  readonly kernels: readonly KernelSize[];
}

export interface Stage<C = Cell> {
  readonly cell: C;
  /** Output channels, multiple of 8 in [8, 1024]. */
  readonly channels: number;
  /** Stride of the first repeat. */
  readonly stride: 1 | 2;
  /** 1..4 repeats sharing one cell genotype. */
  readonly repeats: number;
}

export interface InputShape {
  readonly height: number;
  readonly width: number;
  readonly channels: number;
}

/** A concrete macro architecture (method.md §3.3, §10.1): stem → stages → head. */
export interface Arch {
  readonly input: InputShape;
  readonly numClasses: number;
  readonly stemStride: 1 | 2;
  /** Squeeze-and-excitation inside MBConv ops (method.md §2.3). */
  readonly se: boolean;
  readonly stages: ReadonlyArray<Stage>;
  /** Head width F of the 1×1 conv before pooling; mandatory (method.md §14 P6). */
  readonly headWidth: number;
  /**
   * Output head. Absent or `pooled`: global average pooling → linear (numClasses logits).
   * `dense`: a 1×1 conv with bias F → numClasses at the head's resolution, bilinearly upsampled
   * to the input's H×W and flattened NHWC to H·W·numClasses outputs (dense NAS-Bench-360 tasks).
   * Both heads have F·numClasses + numClasses parameters.
   */
  readonly head?: 'pooled' | 'dense';
}

/** A macro sub-space: stages hold GMM cluster ids instead of cells (method.md §10.1). */
export interface ClusterArch extends Omit<Arch, 'stages'> {
  readonly stages: ReadonlyArray<Stage<number>>;
}

/** Params and FLOPs from the genotype alone (method.md §4). */
export interface Cost {
  /** Trainable parameters. */
  readonly params: number;
  /** 2 × MACs with the ptflops rules of method.md §4.2 (BN, ReLU, pooling included). */
  readonly flops: number;
  /** 2 × MACs of conv and linear layers only. */
  readonly flopsConvLinear: number;
  /** Number of conv + linear layers (the length of the per-layer ZC lists). */
  readonly layers: number;
  readonly cells: number;
}
