/**
 * The backprop kernels tfjs-backend-wasm 4.22 does not ship (Conv2DBackpropFilter,
 * DepthwiseConv2dNativeBackpropInput, DepthwiseConv2dNativeBackpropFilter), registered for
 * 'wasm' and built from kernels wasm has. A kernel implemented with tf ops returns a Tensor,
 * which the engine accepts as a kernel output; ops run inside a kernel are not taped.
 */
import { tf } from '../tf.js';
import type { Tensor4D } from '../tf.js';
import { conv2dFilterGradient, depthwiseFilterGradient, depthwiseInputGradient } from './conv-backprop.js';
import { convGeometry, type ConvPad, type DimRoundingMode, type Shape4 } from './geometry.js';

const WASM = 'wasm';

function asTensor4D(info: tf.TensorInfo | undefined, kernel: string, name: string): Tensor4D {
  if (info === undefined) throw new Error(`${kernel}: missing input '${name}'`);
  if (info.shape.length !== 4) throw new Error(`${kernel}: input '${name}' must be rank 4, got [${info.shape}]`);
  const tensor = info instanceof tf.Tensor ? info : tf.engine().makeTensorFromTensorInfo(info);
  return tensor as Tensor4D;
}

function requireNhwc(kernel: string, dataFormat: unknown): void {
  if (dataFormat !== undefined && dataFormat !== 'NHWC') {
    throw new Error(`${kernel} on wasm supports NHWC only, got dataFormat '${String(dataFormat)}'`);
  }
}

const conv2dBackpropFilter: tf.KernelConfig = {
  kernelName: tf.Conv2DBackpropFilter,
  backendName: WASM,
  kernelFunc: ({ inputs, attrs }) =>
    tf.tidy(() => {
      const a = attrs as unknown as tf.Conv2DBackpropFilterAttrs;
      requireNhwc(tf.Conv2DBackpropFilter, a.dataFormat);
      const x = asTensor4D(inputs.x, tf.Conv2DBackpropFilter, 'x');
      const dy = asTensor4D(inputs.dy, tf.Conv2DBackpropFilter, 'dy');
      const g = convGeometry({
        inShape: x.shape,
        filterShape: a.filterShape,
        strides: a.strides,
        dilations: 1,
        pad: a.pad as ConvPad,
        dimRoundingMode: a.dimRoundingMode as DimRoundingMode | undefined,
        depthwise: false,
      });
      return conv2dFilterGradient(x, dy, g);
    }),
};

const depthwiseBackpropInput: tf.KernelConfig = {
  kernelName: tf.DepthwiseConv2dNativeBackpropInput,
  backendName: WASM,
  kernelFunc: ({ inputs, attrs }) =>
    tf.tidy(() => {
      const a = attrs as unknown as tf.DepthwiseConv2dNativeBackpropInputAttrs;
      const dy = asTensor4D(inputs.dy, tf.DepthwiseConv2dNativeBackpropInput, 'dy');
      const filter = asTensor4D(inputs.filter, tf.DepthwiseConv2dNativeBackpropInput, 'filter');
      const g = convGeometry({
        inShape: a.inputShape as Shape4,
        filterShape: filter.shape,
        strides: a.strides,
        dilations: a.dilations,
        pad: a.pad as ConvPad,
        dimRoundingMode: a.dimRoundingMode as DimRoundingMode | undefined,
        depthwise: true,
      });
      return depthwiseInputGradient(dy, filter, g);
    }),
};

const depthwiseBackpropFilter: tf.KernelConfig = {
  kernelName: tf.DepthwiseConv2dNativeBackpropFilter,
  backendName: WASM,
  kernelFunc: ({ inputs, attrs }) =>
    tf.tidy(() => {
      const a = attrs as unknown as tf.DepthwiseConv2dNativeBackpropFilterAttrs;
      const x = asTensor4D(inputs.x, tf.DepthwiseConv2dNativeBackpropFilter, 'x');
      const dy = asTensor4D(inputs.dy, tf.DepthwiseConv2dNativeBackpropFilter, 'dy');
      const g = convGeometry({
        inShape: x.shape,
        filterShape: a.filterShape,
        strides: a.strides,
        dilations: a.dilations,
        pad: a.pad as ConvPad,
        dimRoundingMode: a.dimRoundingMode as DimRoundingMode | undefined,
        depthwise: true,
      });
      return depthwiseFilterGradient(x, dy, g);
    }),
};

/** Names of the kernels this module provides for wasm. */
export const WASM_EXTRA_KERNELS: readonly string[] = [
  conv2dBackpropFilter.kernelName,
  depthwiseBackpropInput.kernelName,
  depthwiseBackpropFilter.kernelName,
];

/**
 * Registers each kernel unless wasm already has one under that name (a later tfjs-backend-wasm
 * may ship its own; registering twice would also print a warning). Safe to call repeatedly.
 */
export function registerWasmKernels(): void {
  for (const config of [conv2dBackpropFilter, depthwiseBackpropInput, depthwiseBackpropFilter]) {
    if (tf.getKernel(config.kernelName, WASM) === undefined) tf.registerKernel(config);
  }
}
