/**
 * Gradients of Conv2D and DepthwiseConv2dNative that accept dilations > 1 on every backend.
 * tfjs-core's own gradient functions assert dilation 1; for dilation 1 we delegate to them
 * unchanged (so each backend keeps its native backprop kernels), and for dilation > 1 we use the
 * forward-kernel compositions of conv-backprop.ts. tfjs forbids stride > 1 together with
 * dilation > 1 in the forward op, so those compositions only ever see one of the two.
 *
 * One exception at dilation 1: wasm's own Conv2DBackpropInput is a naive scalar loop, several
 * times slower than the composition, which runs through XNNPACK. Replacing the kernel itself is
 * not reliable, because tfjs-backend-wasm registers its kernels when it is first imported and
 * would overwrite ours; so Conv2D gradients taken on wasm use the compositions instead.
 */
import { tf } from '../tf.js';
import type { Tensor, Tensor4D } from '../tf.js';
import {
  conv2dFilterGradient,
  conv2dInputGradient,
  depthwiseFilterGradient,
  depthwiseInputGradient,
} from './conv-backprop.js';
import { convGeometry, hasDilation, type ConvPad, type DimRoundingMode, type Shape4 } from './geometry.js';

type GradientMap = ReturnType<tf.GradFunc>;

/** Marks configs installed by hgnas so a repeated call never wraps a wrapper. */
const HGNAS_GRADIENT = Symbol.for('hgnas.nn.kernels.gradient');
type MarkedGradConfig = tf.GradConfig & { [HGNAS_GRADIENT]?: true };

interface ConvAttrs {
  readonly strides: number | number[];
  readonly pad: ConvPad;
  readonly dilations?: number | number[];
  readonly dimRoundingMode?: DimRoundingMode;
  readonly dataFormat?: string;
}

function singleDy(dy: Tensor | Tensor[]): Tensor4D {
  const t = Array.isArray(dy) ? dy[0] : dy;
  if (t === undefined || t.rank !== 4) throw new Error('conv gradient: expected a rank-4 dy');
  return t as Tensor4D;
}

function savedPair(saved: Tensor[], op: string): [Tensor4D, Tensor4D] {
  const [x, filter] = saved;
  if (x === undefined || filter === undefined || x.rank !== 4 || filter.rank !== 4) {
    throw new Error(`${op} gradient: expected saved rank-4 x and filter`);
  }
  return [x as Tensor4D, filter as Tensor4D];
}

/** The gradient of a (depthwise) conv as forward ops: one input-gradient and one filter-gradient op. */
function composedGradient(depthwise: boolean) {
  const op = depthwise ? 'depthwiseConv2d' : 'conv2d';
  return (dyRaw: Tensor | Tensor[], saved: Tensor[], attrs: ConvAttrs): GradientMap => {
    if (attrs.dataFormat !== undefined && attrs.dataFormat !== 'NHWC') {
      throw new Error(`${op} gradient composition supports NHWC only, got '${attrs.dataFormat}'`);
    }
    const dy = singleDy(dyRaw);
    const [x, filter] = savedPair(saved, op);
    const g = convGeometry({
      inShape: x.shape as Shape4,
      filterShape: filter.shape as Shape4,
      strides: attrs.strides,
      dilations: attrs.dilations ?? 1,
      pad: attrs.pad,
      dimRoundingMode: attrs.dimRoundingMode,
      depthwise,
    });
    return depthwise
      ? { x: () => depthwiseInputGradient(dy, filter, g), filter: () => depthwiseFilterGradient(x, dy, g) }
      : { x: () => conv2dInputGradient(dy, filter, g), filter: () => conv2dFilterGradient(x, dy, g) };
  };
}

/** Backends whose native backprop kernel for `kernelName` loses to the composition. */
function prefersComposition(kernelName: string): boolean {
  return kernelName === tf.Conv2D && tf.getBackend() === 'wasm';
}

function installDilationAware(
  kernelName: string,
  composed: (dy: Tensor | Tensor[], saved: Tensor[], attrs: ConvAttrs) => GradientMap,
): void {
  const original = tf.getGradient(kernelName) as MarkedGradConfig | undefined;
  if (original?.[HGNAS_GRADIENT]) return;
  const config: MarkedGradConfig = {
    kernelName,
    inputsToSave: ['x', 'filter'],
    gradFunc: (dy, saved, attrs) => {
      const convAttrs = attrs as unknown as ConvAttrs;
      if (hasDilation(convAttrs.dilations) || original === undefined || prefersComposition(kernelName)) {
        return composed(dy, saved, convAttrs);
      }
      return original.gradFunc(dy, saved, attrs);
    },
    [HGNAS_GRADIENT]: true,
  };
  tf.registerGradient(config);
}

/** Installs the dilation-aware Conv2D and DepthwiseConv2dNative gradients. Idempotent. */
export function registerConvGradients(): void {
  installDilationAware(tf.Conv2D, composedGradient(false));
  installDilationAware(tf.DepthwiseConv2dNative, composedGradient(true));
}
