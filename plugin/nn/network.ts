/**
 * The macro network of method.md §3.3 as a functional Network (§15.2): stem → stage cells → head.
 * Parameters live in tf.Variables; forward never mutates them, and train-mode BN statistics are
 * handed back for the caller to commit (or not).
 */
import { tf } from './tf.js';
import type { Tensor, Tensor1D, Tensor2D, Tensor4D } from './tf.js';
import type { Arch } from '../space/types.js';
import type { BnStats, ForwardOptions, ForwardResult, LayerInfo, Network } from './types.js';
import type { InitScheme } from './init.js';
import { BatchNormLayer, ConvLayer, LinearLayer, ParameterRegistry, Relu, Sequential, type Block, type ForwardContext } from './layers.js';
import { CellModule } from './cell.js';
import { checkpointed } from './checkpoint.js';
import { checkpointPays } from './memory.js';

export interface BuildOptions {
  readonly seed: number;
  readonly init?: InitScheme;
  /** BN ε (method.md §1.3). */
  readonly bnEpsilon?: number;
}

export const DEFAULT_BN_EPSILON = 1e-5;

function isPositiveInteger(x: unknown): x is number {
  return typeof x === 'number' && Number.isInteger(x) && x > 0;
}

/** Macro-level checks the builder needs; cell rules are checked per cell (method.md §2.6). */
function assertBuildableArch(arch: Arch): void {
  const problems: string[] = [];
  const { input } = arch;
  if (!isPositiveInteger(input?.height) || !isPositiveInteger(input?.width) || !isPositiveInteger(input?.channels)) {
    problems.push(`input must have positive integer height, width and channels, got ${JSON.stringify(input)}`);
  }
  if (!isPositiveInteger(arch.numClasses)) problems.push(`numClasses must be a positive integer, got ${JSON.stringify(arch.numClasses)}`);
  if (arch.stemStride !== 1 && arch.stemStride !== 2) problems.push(`stemStride must be 1 or 2, got ${JSON.stringify(arch.stemStride)}`);
  if (typeof arch.se !== 'boolean') problems.push(`se must be a boolean, got ${JSON.stringify(arch.se)}`);
  if (!isPositiveInteger(arch.headWidth)) problems.push(`headWidth (F) must be a positive integer, got ${JSON.stringify(arch.headWidth)}`);
  if (!Array.isArray(arch.stages) || arch.stages.length === 0) {
    problems.push('stages must be a non-empty list');
  } else {
    arch.stages.forEach((s, i) => {
      if (!isPositiveInteger(s.channels)) problems.push(`stage ${i}: channels must be a positive integer, got ${JSON.stringify(s.channels)}`);
      if (s.stride !== 1 && s.stride !== 2) problems.push(`stage ${i}: stride must be 1 or 2, got ${JSON.stringify(s.stride)}`);
      if (!isPositiveInteger(s.repeats)) problems.push(`stage ${i}: repeats must be a positive integer, got ${JSON.stringify(s.repeats)}`);
    });
  }
  if (problems.length > 0) throw new Error(`invalid architecture: ${problems.join('; ')}`);
}

interface NetworkParts {
  readonly stem: Block;
  readonly cells: ReadonlyArray<{ readonly id: string; readonly module: CellModule }>;
  /** BN → ReLU → conv1×1 → BN, before pooling. */
  readonly head: Block;
  /** Pooled head: linear on the pooled feature; dense head: per-pixel 1×1 conv with bias. */
  readonly classifier: LinearLayer | ConvLayer;
}

/** Builds every layer in execution order, so the registry's layer list is the execution order. */
function buildParts(arch: Arch, registry: ParameterRegistry): NetworkParts {
  const first = arch.stages[0]!;
  const stemConv = new ConvLayer(registry, {
    id: 'stem.conv',
    inChannels: arch.input.channels,
    outChannels: first.channels,
    kernel: 3,
    stride: arch.stemStride,
    inSize: [arch.input.height, arch.input.width],
  });
  const stem = new Sequential([stemConv, new BatchNormLayer(registry, 'stem.conv.bn', first.channels, stemConv.outSize, true)]);

  const cells: Array<{ id: string; module: CellModule }> = [];
  let channels = first.channels;
  let size = stem.outSize;
  arch.stages.forEach((stage, i) => {
    for (let r = 0; r < stage.repeats; r++) {
      const id = `stage${i}.rep${r}`;
      const module = new CellModule(registry, {
        prefix: id,
        cell: stage.cell,
        inChannels: channels,
        outChannels: stage.channels,
        stride: r === 0 ? stage.stride : 1,
        se: arch.se,
        inSize: size,
      });
      cells.push({ id, module });
      channels = module.outChannels;
      size = module.outSize;
    }
  });

  const headConv = new ConvLayer(registry, { id: 'head.conv', inChannels: channels, outChannels: arch.headWidth, kernel: 1, stride: 1, inSize: size });
  const head = new Sequential([
    new BatchNormLayer(registry, 'head.bn', channels, size, true),
    new Relu(channels, size),
    headConv,
    new BatchNormLayer(registry, 'head.conv.bn', arch.headWidth, size, true),
  ]);
  const classifier =
    arch.head === 'dense'
      ? new ConvLayer(registry, { id: 'classifier', inChannels: arch.headWidth, outChannels: arch.numClasses, kernel: 1, stride: 1, inSize: size, bias: true })
      : new LinearLayer(registry, 'classifier', arch.headWidth, arch.numClasses);
  return { stem, cells, head, classifier };
}

/** Collects one forward pass's taps, executed layers and kept batch statistics. */
class PassContext implements ForwardContext {
  readonly executed = new Set<string>();
  readonly batchStats = new Map<string, BnStats>();

  constructor(
    private readonly network: FunctionalNetwork,
    private readonly options: ForwardOptions,
    readonly bnEpsilon: number,
  ) {}

  get mode(): ForwardOptions['mode'] {
    return this.options.mode;
  }

  param(key: string): Tensor {
    const override = this.options.parameterOverrides?.get(key);
    if (override !== undefined) return override;
    const v = this.network.parameters.get(key);
    if (v === undefined) throw new Error(`unknown parameter ${key}`);
    return v;
  }

  running(bnId: string): { mean: Tensor; variance: Tensor } {
    const s = this.network.bnRunning.get(bnId);
    if (s === undefined) throw new Error(`unknown BN layer ${bnId}`);
    return s;
  }

  tap(layerId: string, raw: Tensor): void {
    if (this.executed.has(layerId)) throw new Error(`layer ${layerId} executed twice in one forward pass`);
    this.executed.add(layerId);
    this.options.onTap?.(layerId, raw);
  }

  get bypassBatchNorm(): boolean {
    return this.options.bypassBatchNorm === true;
  }

  /** The tensor transformTap closes over for this layer, if the caller declared one. */
  probe(layerId: string): Tensor | undefined {
    return this.options.transformTapTensors?.get(layerId);
  }

  transformTap(layerId: string, raw: Tensor): Tensor {
    return this.options.transformTap?.(layerId, raw) ?? raw;
  }

  reluInput(preActivation: Tensor): void {
    this.options.onReluInput?.(preActivation);
  }

  recordBatchStats(bnId: string, mean: Tensor1D, variance: Tensor1D): void {
    // Kept past the per-cell and per-pass scopes: the caller owns them.
    this.batchStats.set(bnId, { mean: tf.keep(mean), variance: tf.keep(variance) });
  }

  disposeStats(): void {
    for (const s of this.batchStats.values()) tf.dispose([s.mean, s.variance]);
    this.batchStats.clear();
  }
}

/**
 * The context of a cell's recomputation in the backward pass (per-cell checkpointing): the same
 * mode, parameters and tap transform as the forward, but each differentiated parameter is
 * replaced by its saved stand-in, and nothing is reported (taps, ReLU inputs and batch
 * statistics were reported by the forward, once).
 */
class RecomputeContext implements ForwardContext {
  constructor(
    private readonly pass: PassContext,
    private readonly parameters: ReadonlyMap<string, Tensor>,
  ) {}

  get mode(): ForwardOptions['mode'] {
    return this.pass.mode;
  }

  get bnEpsilon(): number {
    return this.pass.bnEpsilon;
  }

  get bypassBatchNorm(): boolean {
    return this.pass.bypassBatchNorm;
  }

  param(key: string): Tensor {
    return this.parameters.get(key) ?? this.pass.param(key);
  }

  running(bnId: string): { mean: Tensor; variance: Tensor } {
    return this.pass.running(bnId);
  }

  tap(): void {}

  recordBatchStats(): void {}

  transformTap(layerId: string, raw: Tensor): Tensor {
    return this.pass.transformTap(layerId, raw);
  }
}

/**
 * Runs one cell as a recomputed segment: only its input, the parameters and the declared tap
 * tensors it reads stay on the tape. The recomputation differentiates the saved copies of the
 * input and parameters, but the tap tensors themselves: transformTap closes over those, and
 * the caller keeps them alive for its whole gradient computation.
 */
function checkpointedCell(module: CellModule, ctx: PassContext, x: Tensor4D): Tensor4D {
  const { parameterKeys, layerIds } = module.gradientInputs(ctx.bypassBatchNorm);
  // Unique: a tensor shared by two layers must be differentiated once, not twice.
  const probes = [...new Set(layerIds.map((id) => ctx.probe(id)).filter((t): t is Tensor => t !== undefined))];
  const inputs: Tensor[] = [x, ...parameterKeys.map((key) => ctx.param(key)), ...probes];
  const savedCount = 1 + parameterKeys.length;
  return checkpointed(
    {
      run: () => module.apply(ctx, x),
      rerun: (saved) => {
        const parameters = new Map(parameterKeys.map((key, i) => [key, saved[1 + i]!] as const));
        return module.apply(new RecomputeContext(ctx, parameters), saved[0] as Tensor4D);
      },
      targets: (saved) => [...saved.slice(0, savedCount), ...probes],
    },
    inputs,
  );
}

class FunctionalNetwork implements Network {
  readonly layers: ReadonlyArray<LayerInfo>;
  readonly parameters: ParameterRegistry['parameters'];
  readonly bnRunning: ParameterRegistry['bnRunning'];
  readonly decayed: ReadonlySet<string>;
  private disposed = false;
  private readonly checkpointPaysAt = new Map<number, boolean>();

  constructor(
    readonly arch: Arch,
    private readonly registry: ParameterRegistry,
    private readonly parts: NetworkParts,
    private readonly bnEpsilon: number,
  ) {
    this.layers = registry.layers;
    this.parameters = registry.parameters;
    this.bnRunning = registry.bnRunning;
    this.decayed = registry.decayed;
  }

  forward(x: Tensor4D, options: ForwardOptions): ForwardResult {
    if (this.disposed) throw new Error('forward on a disposed network');
    const { height, width, channels } = this.arch.input;
    if (x.rank !== 4 || x.shape[1] !== height || x.shape[2] !== width || x.shape[3] !== channels) {
      throw new Error(`input must be [N, ${height}, ${width}, ${channels}] (NHWC), got [${x.shape.join(', ')}]`);
    }
    const checkpoint = this.checkpointing(x.shape[0], options);
    const ctx = new PassContext(this, options, this.bnEpsilon);
    try {
      const logits = tf.tidy(() => {
        let h = this.parts.stem.apply(ctx, x);
        for (const { module } of this.parts.cells) {
          const input = h;
          // Per-cell scope: a cell's intermediates (and taps) are freed as soon as it is done
          // (with checkpointing, also from the gradient tape).
          h = checkpoint ? checkpointedCell(module, ctx, input) : tf.tidy(() => module.apply(ctx, input));
        }
        const feature = this.parts.head.apply(ctx, h);
        options.onFeature?.('head', feature);
        const classifier = this.parts.classifier;
        if (classifier instanceof ConvLayer) {
          // Dense head: per-pixel outputs at the head's resolution, bilinearly upsampled to the
          // input size (identity when the network keeps stride 1), flattened NHWC per example.
          const perPixel = classifier.apply(ctx, feature);
          const full = perPixel.shape[1] === height && perPixel.shape[2] === width ? perPixel : tf.image.resizeBilinear(perPixel, [height, width]);
          return tf.reshape(full, [x.shape[0], height * width * this.arch.numClasses]) as Tensor2D;
        }
        const pooled = tf.mean(feature, [1, 2]) as Tensor2D;
        return classifier.apply(ctx, pooled);
      });
      return { logits, batchStats: ctx.batchStats, executed: ctx.executed };
    } catch (err) {
      ctx.disposeStats();
      throw err;
    }
  }

  /** Resolves ForwardOptions.checkpoint for this pass. */
  private checkpointing(batch: number, options: ForwardOptions): boolean {
    const requested = options.checkpoint ?? 'auto';
    const opaqueTransform = options.transformTap !== undefined && options.transformTapTensors === undefined;
    if (requested === true && opaqueTransform) {
      throw new Error('checkpointing cannot differentiate what a transformTap closure captures: declare it in transformTapTensors');
    }
    if (requested !== 'auto') return requested;
    if (opaqueTransform || !tf.engine().isTapeOn()) return false;
    let pays = this.checkpointPaysAt.get(batch);
    if (pays === undefined) {
      pays = checkpointPays(this.arch, batch);
      this.checkpointPaysAt.set(batch, pays);
    }
    return pays;
  }

  commitBatchStats(stats: ReadonlyMap<string, BnStats>, momentum: number): void {
    if (!(momentum >= 0 && momentum <= 1)) throw new Error(`momentum must be in [0, 1], got ${momentum}`);
    for (const [id, batch] of stats) {
      const running = this.bnRunning.get(id);
      if (running === undefined) throw new Error(`unknown BN layer ${id}`);
      tf.tidy(() => {
        running.mean.assign(tf.add(tf.mul(running.mean, 1 - momentum), tf.mul(batch.mean, momentum)));
        running.variance.assign(tf.add(tf.mul(running.variance, 1 - momentum), tf.mul(batch.variance, momentum)));
      });
    }
  }

  parameterCount(): number {
    let n = 0;
    for (const v of this.parameters.values()) n += v.size;
    return n;
  }

  dispose(): void {
    this.disposed = true;
    this.registry.dispose();
  }
}

/**
 * Builds the network of `arch` with freshly initialised parameters. Throws a clear Error for a
 * genotype that breaks the validity rules of method.md §2.6 (the builder never prunes) or whose
 * macro fields are out of range; nothing is left allocated in that case.
 */
export function buildNetwork(arch: Arch, options: BuildOptions): Network {
  assertBuildableArch(arch);
  const registry = new ParameterRegistry(options.init ?? 'default', options.seed);
  try {
    const parts = buildParts(arch, registry);
    return new FunctionalNetwork(arch, registry, parts, options.bnEpsilon ?? DEFAULT_BN_EPSILON);
  } catch (err) {
    registry.dispose();
    throw err;
  }
}

/** Frees the tensors of a train-mode pass's batch statistics (after committing them, or instead). */
export function disposeBatchStats(stats: ReadonlyMap<string, BnStats>): void {
  for (const s of stats.values()) tf.dispose([s.mean, s.variance]);
}
