/**
 * A generator checkpoint as one bundle: graph VAE + condition normaliser + GMM + CCNF + macro
 * transformer (design.md §5). The cluster ids of the GMM, the transformer's cluster tokens and
 * the CCNF's conditions only make sense together, so they are written and read as one directory
 * (`hgnas pretrain` writes it; recipes load `builtin` or a path).
 */
import { join } from 'node:path';
import { packageRoot } from '../recipe/assets.js';
import type { Ccnf, SerializedCcnf } from './ccnf.js';
import { Ccnf as CcnfModel } from './ccnf.js';
import type { ConditionNormaliser } from './cell-data.js';
import { CheckpointError, readManifest, readWeights, writeManifest, writeWeights } from './checkpoint-io.js';
import { mixtureFromJson, type GaussianMixture } from './gmm.js';
import { MacroLanguageModel } from './macro-lm.js';
import type { TransformerConfig } from './transformer.js';
import { GraphVae, type VaeConfig } from './vae.js';

export interface GeneratorBundle {
  readonly vae: GraphVae;
  readonly normaliser: ConditionNormaliser;
  readonly mixture: GaussianMixture;
  readonly ccnf: Ccnf;
  /** Which objective trained the shipped CCNF. */
  readonly ccnfObjective: string;
  readonly macro: MacroLanguageModel;
}

export interface LoadedCheckpoint {
  readonly bundle: GeneratorBundle;
  readonly manifest: Record<string, unknown>;
  readonly path: string;
}

/** The checkpoint shipped with the package (built with recipes/pretrain.yaml). */
export function builtinCheckpointPath(): string {
  return join(packageRoot(), 'recipes', 'pretrained');
}

export function resolveCheckpointPath(setting: string): string {
  return setting === 'builtin' ? builtinCheckpointPath() : setting;
}

/** Writes the bundle's weights, then the manifest (with `extra`: versions, recipe, metrics, costs…). */
export async function writeGeneratorCheckpoint(dir: string, bundle: GeneratorBundle, extra: Record<string, unknown>): Promise<void> {
  const { mkdir } = await import('node:fs/promises');
  await mkdir(dir, { recursive: true });
  const ccnf = bundle.ccnf.serialize();
  const macroConfig = bundle.macro.transformer.config;
  const manifest = {
    ...extra,
    normaliser: bundle.normaliser,
    gmm: bundle.mixture,
    vae: { config: bundle.vae.config, parameters: bundle.vae.parameterCount(), weightsManifest: [await writeWeights(dir, 'vae', bundle.vae.serialize())] },
    ccnf: { objective: bundle.ccnfObjective, config: ccnf.config, state: ccnf.state, weightsManifest: [await writeWeights(dir, 'ccnf', ccnf.weights)] },
    macro: {
      numClusters: bundle.macro.numClusters,
      config: macroConfig,
      parameters: bundle.macro.transformer.parameterCount(),
      weightsManifest: [await writeWeights(dir, 'macro', bundle.macro.serialize())],
    },
  };
  await writeManifest(dir, manifest);
}

function section(manifest: Record<string, unknown>, key: string, file: string): Record<string, unknown> {
  const value = manifest[key];
  if (typeof value !== 'object' || value === null) {
    throw new CheckpointError(`${file}: section '${key}' is missing`, 'rebuild the checkpoint with `hgnas pretrain`');
  }
  return value as Record<string, unknown>;
}

function normaliserFrom(value: unknown, file: string): ConditionNormaliser {
  const v = value as { min?: unknown; max?: unknown } | null;
  const ok = (a: unknown) => Array.isArray(a) && a.length === 4 && a.every((x) => typeof x === 'number' && Number.isFinite(x));
  if (v === null || typeof v !== 'object' || !ok(v.min) || !ok(v.max)) {
    throw new CheckpointError(`${file}: normaliser must be {min: [4 numbers], max: [4 numbers]}`, 'rebuild the checkpoint with `hgnas pretrain`');
  }
  return { min: [...(v.min as number[])], max: [...(v.max as number[])] };
}

export async function readGeneratorCheckpoint(dir: string): Promise<LoadedCheckpoint> {
  const manifest = await readManifest(dir);
  const file = join(dir, 'manifest.json');
  const vaeSection = section(manifest, 'vae', file);
  const ccnfSection = section(manifest, 'ccnf', file);
  const macroSection = section(manifest, 'macro', file);
  const firstGroup = (s: Record<string, unknown>) => (Array.isArray(s.weightsManifest) ? s.weightsManifest[0] : undefined);
  let mixture: GaussianMixture;
  try {
    mixture = mixtureFromJson(manifest.gmm);
  } catch (error) {
    throw new CheckpointError(`${file}: gmm: ${(error as Error).message}`, 'rebuild the checkpoint with `hgnas pretrain`');
  }
  const vae = GraphVae.deserialize(vaeSection.config as VaeConfig, await readWeights(dir, firstGroup(vaeSection), 'vae'));
  const ccnf = CcnfModel.deserialize({
    config: ccnfSection.config as SerializedCcnf['config'],
    state: ccnfSection.state as SerializedCcnf['state'],
    weights: await readWeights(dir, firstGroup(ccnfSection), 'ccnf'),
  });
  const macro = MacroLanguageModel.deserialize(await readWeights(dir, firstGroup(macroSection), 'macro'), {
    numClusters: macroSection.numClusters as number,
    config: macroSection.config as TransformerConfig,
  });
  if (macro.numClusters !== mixture.means.length) {
    throw new CheckpointError(`${file}: the macro transformer knows ${macro.numClusters} clusters, the GMM has ${mixture.means.length}`, 'rebuild the checkpoint with `hgnas pretrain`');
  }
  return {
    bundle: { vae, normaliser: normaliserFrom(manifest.normaliser, file), mixture, ccnf, ccnfObjective: String(ccnfSection.objective), macro },
    manifest,
    path: dir,
  };
}
