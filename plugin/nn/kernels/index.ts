/**
 * hgnas's additions to the tfjs registries: the backprop kernels wasm lacks and the gradients
 * tfjs-core lacks or restricts. Registries are per tfjs-core instance, i.e. per worker thread;
 * every function here is idempotent.
 */
import { registerConvGradients } from './conv-gradients.js';
import { registerStridedSliceGradient } from './strided-slice-gradient.js';
import { registerWasmKernels } from './wasm-kernels.js';

export { WASM_EXTRA_KERNELS } from './wasm-kernels.js';
export {
  conv2dFilterGradient,
  conv2dInputGradient,
  depthwiseFilterGradient,
  depthwiseInputGradient,
} from './conv-backprop.js';
export { convGeometry, type ConvGeometry, type ConvPad } from './geometry.js';

export function registerExtraKernels(): void {
  registerWasmKernels();
  registerConvGradients();
  registerStridedSliceGradient();
}
