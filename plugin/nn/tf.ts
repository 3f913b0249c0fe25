/**
 * The one place hgnas imports TensorFlow.js from. `@tensorflow/tfjs` registers every op's
 * gradient and the cpu backend; backends (wasm, tensorflow) are attached by nn/backend.ts.
 * A single module instance matters: kernels and gradients registered by hgnas must land in the
 * same registry the ops use.
 */
import * as tf from '@tensorflow/tfjs';

export { tf };
export type { Tensor, Tensor1D, Tensor2D, Tensor3D, Tensor4D, Variable, Rank } from '@tensorflow/tfjs';
