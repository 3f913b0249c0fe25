/**
 * Convolution geometry for the backprop compositions: the padding tfjs actually applied in the
 * forward pass (read from tfjs-core's own computeConv2DInfo, so 'same', numbers and explicit
 * [[0,0],[t,b],[l,r],[0,0]] paddings resolve exactly as the forward op resolved them) and the
 * strides, dilations and sizes the backward formulas need.
 */
import { tf } from '../tf.js';

/** The padding argument tfjs conv ops accept: 'same' | 'valid' | number | ExplicitPadding. */
export type ConvPad = Parameters<typeof tf.backend_util.computeConv2DInfo>[4];
export type DimRoundingMode = 'floor' | 'round' | 'ceil';
export type Shape4 = [number, number, number, number];

export interface ConvGeometry {
  readonly strideHeight: number;
  readonly strideWidth: number;
  readonly dilationHeight: number;
  readonly dilationWidth: number;
  readonly filterHeight: number;
  readonly filterWidth: number;
  readonly padTop: number;
  readonly padLeft: number;
  readonly inHeight: number;
  readonly inWidth: number;
  readonly outHeight: number;
  readonly outWidth: number;
}

export interface ConvSpec {
  readonly inShape: Shape4;
  readonly filterShape: Shape4;
  readonly strides: number | readonly number[];
  readonly dilations: number | readonly number[];
  readonly pad: ConvPad;
  readonly dimRoundingMode?: DimRoundingMode | undefined;
  readonly depthwise: boolean;
}

export function pairOf(value: number | readonly number[] | undefined, fallback: number): [number, number] {
  if (value === undefined || value === null) return [fallback, fallback];
  if (typeof value === 'number') return [value, value];
  if (value.length === 1) return [value[0]!, value[0]!];
  return [value[0]!, value[1]!];
}

export function convGeometry(spec: ConvSpec): ConvGeometry {
  const info = tf.backend_util.computeConv2DInfo(
    spec.inShape,
    spec.filterShape,
    pairOf(spec.strides, 1),
    pairOf(spec.dilations, 1),
    spec.pad,
    spec.dimRoundingMode,
    spec.depthwise,
  );
  return {
    strideHeight: info.strideHeight,
    strideWidth: info.strideWidth,
    dilationHeight: info.dilationHeight,
    dilationWidth: info.dilationWidth,
    filterHeight: info.filterHeight,
    filterWidth: info.filterWidth,
    padTop: info.padInfo.top,
    padLeft: info.padInfo.left,
    inHeight: info.inHeight,
    inWidth: info.inWidth,
    outHeight: info.outHeight,
    outWidth: info.outWidth,
  };
}

export function hasDilation(dilations: number | readonly number[] | undefined): boolean {
  const [dh, dw] = pairOf(dilations, 1);
  return dh !== 1 || dw !== 1;
}
