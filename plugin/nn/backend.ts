/**
 * Tensor backend selection (design.md §4). `auto` tries the native TensorFlow bindings
 * (@tensorflow/tfjs-node-gpu, then @tensorflow/tfjs-node), then wasm, then the pure-JS cpu
 * backend, recording why each earlier choice failed. The tfjs registries and the active backend
 * are per tfjs-core instance, i.e. per worker thread: every Piscina worker calls initBackend once.
 *
 * wasm in Node.js runs the SIMD build on one thread. tfjs-backend-wasm 4.22 hard-codes
 * WASM_HAS_MULTITHREAD_SUPPORT = false under Node (tfjs issue #3830); forcing the flag loads the
 * threaded build, whose pthread workers are `blob:` URLs that Node's worker_threads refuse
 * (ERR_WORKER_PATH), after which the backend is unusable. Parallelism therefore comes from
 * running more pool workers, not from wasm threads, and setThreadsCount is a no-op there.
 */
import { createRequire } from 'node:module';
import { InputError } from '../errors.js';
import { tf } from './tf.js';
import { registerExtraKernels } from './kernels/index.js';

export type BackendPreference = 'auto' | 'tensorflow' | 'wasm' | 'cpu';
export type BackendName = 'tensorflow' | 'wasm' | 'cpu';

export interface BackendFallback {
  /** The package (or backend) that was tried. */
  readonly tried: string;
  readonly error: string;
}

export interface BackendInfo {
  readonly name: BackendName;
  /** The npm package that provides the backend. */
  readonly package: string;
  readonly version: string;
  /** Human-readable configuration, e.g. 'wasm SIMD, 1 thread' or 'tfjs-node-gpu CUDA'. */
  readonly detail: string;
  /** Earlier choices of `auto` that failed, in the order tried. */
  readonly fallbacks: readonly BackendFallback[];
}

export interface BackendOptions {
  /** wasm threads requested (see the module comment: Node runs wasm on one thread). */
  readonly threads?: number;
  /** Silence tfjs's "install the node backend" banner (default true). Real errors still show. */
  readonly quiet?: boolean;
}

const TENSORFLOW_PACKAGES = [
  { package: '@tensorflow/tfjs-node-gpu', detail: 'tfjs-node-gpu CUDA' },
  { package: '@tensorflow/tfjs-node', detail: 'tfjs-node CPU (libtensorflow)' },
] as const;
const WASM_PACKAGE = '@tensorflow/tfjs-backend-wasm';
const CPU_PACKAGE = '@tensorflow/tfjs-backend-cpu';

const requireFromHere = createRequire(import.meta.url);

let current: { info: BackendInfo; preference: BackendPreference } | null = null;
/** Selections run one at a time so concurrent callers never interleave tf.setBackend calls. */
let queue: Promise<unknown> = Promise.resolve();

/** The backend chosen by the last successful initBackend, or null before the first. */
export function backendInfo(): BackendInfo | null {
  return current?.info ?? null;
}

/**
 * Selects and initialises a backend and registers hgnas's extra kernels and gradients.
 * Calling again with the same preference returns the same BackendInfo without re-initialising;
 * a different preference switches backends. An explicit preference that cannot be met throws an
 * Error naming the backend, the reason and the fix.
 */
export function initBackend(preference: BackendPreference, options: BackendOptions = {}): Promise<BackendInfo> {
  const run = queue.then(() => select(preference, options));
  queue = run.catch(() => undefined);
  return run;
}

async function select(preference: BackendPreference, options: BackendOptions): Promise<BackendInfo> {
  if (current !== null && current.preference === preference && tf.getBackend() === current.info.name) {
    return current.info;
  }
  registerExtraKernels();
  const quiet = options.quiet ?? true;
  let info: BackendInfo;
  switch (preference) {
    case 'tensorflow':
      info = await explicitTensorflow();
      break;
    case 'wasm':
      info = await explicit(
        'wasm',
        () => useWasm(options.threads),
        'reinstall @tensorflow/tfjs-backend-wasm (its dist/*.wasm files must be present), or use runtime.backend: cpu',
      );
      break;
    case 'cpu':
      info = await explicit('cpu', () => useCpu(), 'reinstall @tensorflow/tfjs (it bundles the cpu backend)');
      break;
    case 'auto':
      info = await auto(options.threads);
      break;
    default:
      throw new Error(`Unknown backend preference '${String(preference)}': use auto, tensorflow, wasm or cpu`);
  }
  if (quiet) silenceCpuBanner();
  current = { info, preference };
  return info;
}

async function auto(threads: number | undefined): Promise<BackendInfo> {
  const fallbacks: BackendFallback[] = [];
  for (const candidate of TENSORFLOW_PACKAGES) {
    try {
      return { ...(await useTensorflow(candidate.package, candidate.detail)), fallbacks };
    } catch (error) {
      fallbacks.push({ tried: candidate.package, error: messageOf(error) });
    }
  }
  try {
    return { ...(await useWasm(threads)), fallbacks };
  } catch (error) {
    fallbacks.push({ tried: WASM_PACKAGE, error: messageOf(error) });
  }
  return { ...(await useCpu()), fallbacks };
}

async function explicit(name: BackendName, use: () => Promise<BackendInfo>, fix: string): Promise<BackendInfo> {
  try {
    return await use();
  } catch (error) {
    throw new InputError(`Backend '${name}' is unavailable: ${messageOf(error)}`, fix);
  }
}

async function explicitTensorflow(): Promise<BackendInfo> {
  const failures: string[] = [];
  for (const candidate of TENSORFLOW_PACKAGES) {
    try {
      return await useTensorflow(candidate.package, candidate.detail);
    } catch (error) {
      failures.push(`${candidate.package}: ${messageOf(error)}`);
    }
  }
  throw new InputError(
    `Backend 'tensorflow' is unavailable (${failures.join('; ')})`,
    'install @tensorflow/tfjs-node (or @tensorflow/tfjs-node-gpu with CUDA) on a machine that can download libtensorflow ' +
      'during npm install, or use runtime.backend: wasm',
  );
}

async function useTensorflow(packageName: string, detail: string): Promise<BackendInfo> {
  // The bindings register a 'tensorflow' backend into the tfjs-core they resolve on import.
  await import(packageName);
  if (tf.findBackendFactory('tensorflow') == null) {
    throw new Error(
      `${packageName} loaded but registered no 'tensorflow' backend with hgnas's @tensorflow/tfjs-core ` +
        '(two tfjs-core copies installed? run npm dedupe)',
    );
  }
  if (!(await tf.setBackend('tensorflow'))) {
    throw new Error(`tf.setBackend('tensorflow') failed after loading ${packageName}`);
  }
  return { name: 'tensorflow', package: packageName, version: packageVersion(packageName), detail, fallbacks: [] };
}

async function useWasm(threads: number | undefined): Promise<BackendInfo> {
  const wasm = await import('@tensorflow/tfjs-backend-wasm');
  // Read by the wasm backend only when it is first initialised; later calls have no effect.
  if (threads !== undefined) wasm.setThreadsCount(threads);
  if (!(await tf.setBackend('wasm'))) {
    throw new Error('tf.setBackend(\'wasm\') failed: the .wasm binary could not be loaded or instantiated');
  }
  const simd = (await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT')) === true;
  const actualThreads = wasm.getThreadsCount();
  let detail = `wasm ${simd ? 'SIMD' : 'scalar (no SIMD)'}, ${actualThreads} thread${actualThreads === 1 ? '' : 's'}`;
  if (threads !== undefined && threads > actualThreads) {
    detail += ` (${threads} requested; multithreaded wasm is unavailable in Node.js, use more pool workers)`;
  }
  return { name: 'wasm', package: WASM_PACKAGE, version: packageVersion(WASM_PACKAGE), detail, fallbacks: [] };
}

async function useCpu(): Promise<BackendInfo> {
  if (!(await tf.setBackend('cpu'))) throw new Error("tf.setBackend('cpu') failed");
  return {
    name: 'cpu',
    package: CPU_PACKAGE,
    version: packageVersion(CPU_PACKAGE),
    detail: 'pure JavaScript',
    fallbacks: [],
  };
}

/**
 * The cpu backend prints an "install our node backend" banner on its first tensor write, which
 * here is noise: the choice was made deliberately above. It is gated by the backend's own
 * `firstUse` flag; clearing that flag silences exactly this message and nothing else.
 */
function silenceCpuBanner(): void {
  const cpu = tf.findBackend('cpu') as unknown as { firstUse?: unknown } | null;
  if (cpu !== null && typeof cpu.firstUse === 'boolean') cpu.firstUse = false;
}

function packageVersion(packageName: string): string {
  try {
    const manifest = requireFromHere(`${packageName}/package.json`) as { version?: unknown };
    return typeof manifest.version === 'string' ? manifest.version : tf.version_core;
  } catch {
    return tf.version_core;
  }
}

function messageOf(error: unknown): string {
  let text: string;
  if (error instanceof Error) text = error.message;
  else if (typeof error === 'object' && error !== null && 'message' in error) text = String(error.message);
  else text = String(error);
  // Node's module-not-found messages carry a long "imported from" tail; the first line says it.
  return text.split('\n')[0]!.trim();
}
