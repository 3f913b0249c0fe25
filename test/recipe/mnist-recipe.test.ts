import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { defaultRecipePath, loadRecipe, recipeSchemaPath, recipeToYaml, type Recipe } from '../../plugin/recipe/index.js';
import { FITNESS_NAMES, SEARCH_METHODS, TASK_IDS } from '../../plugin/recipe/types.js';
import { KERNEL_SIZES, OP_NAMES } from '../../plugin/space/types.js';
import { lines, tempProject } from './helpers.js';

/** The recipe documented in the task brief (design of the MNIST main job), written out by hand. */
function documented(cwd: string): Recipe {
  return {
    version: 1,
    name: 'mnist',
    seed: 0,
    description: 'Hierarchical generative search (transformer macro proposals, CCNF cells) under a 100k-parameter budget on MNIST, ranked by TCET.',
    task: { id: 'mnist', data: null, split: { train: 0.7, val: 0.1, test: 0.2 }, options: {}, stemStride: 2 },
    space: {
      stages: { min: 1, max: 3 },
      totalCells: { max: 8 },
      repeats: { max: 3 },
      channels: { min: 16, max: 64 },
      strides: [1, 2],
      headWidth: { min: 16, max: 128 },
      ops: ['avg_pool', 'conv', 'sep_conv', 'dil_conv', 'mbconv_e2', 'mbconv_e3', 'mbconv_e6', 'bconv_e0.5', 'bconv_e0.25'],
      kernels: [1, 3, 5],
      se: false,
    },
    constraints: { params: 100_000, flops: 5_000_000, minParams: 20_000 },
    // The 2-core pretraining sizes of recipes/pretrain.yaml (the mnist recipe leaves them at default).
    pretrain: {
      output: null,
      cells: { unlabelled: 4000, initial: 160, population: 40, labelled: 480, maxProxyParams: 1_000_000, heldOut: 0.1 },
      proxyNetwork: { channels: [8, 16, 32], cellsPerStage: 1, batch: 32 },
      vae: { gcnLayers: 4, hidden: 128, latent: 32, decoderHidden: 128, epochs: 120, minEpochs: 20, patience: 25, batchSize: 64, lr: 0.001 },
      gmm: { components: 32 },
      ccnf: { objectives: ['flow-matching', 'likelihood'], hidden: 128, layers: 4, epochs: 29, likelihoodEpochs: 6, batchSize: 256, solver: 'dopri5' },
      macro: { records: 6000, layers: 2, width: 64, heads: 4, mlp: 256, context: 224, dropout: 0.1, steps: 1500, batchSize: 16 },
      evaluation: { samples: 1000, conditionCells: 24 },
    },
    generators: { checkpoint: 'builtin', pretrain: false, cellTemperature: 0.4, macroTemperature: 0.8, topK: 50 },
    search: {
      method: 'hgnas',
      fitness: 'auto',
      budget: { evaluations: 80, seconds: null },
      batch: 8,
      zcBatchSize: 64,
      population: 64,
      tournament: 16,
      topK: 3,
      maxSamplingTries: 1000,
      hgnas: { proposalShare: 0.5, sequences: 5, perSequence: 10, refine: false, refineTopK: 10, refineSteps: 50 },
      hgnasEa: { explorationShare: 0.15, population: null },
    },
    evaluation: {
      rerank: { topK: 3, epochs: 0 },
      train: {
        epochs: 8,
        batchSize: 64,
        optimizer: 'sgd',
        lr: 0.05,
        momentum: 0.9,
        nesterov: true,
        weightDecay: 0.0005,
        schedule: 'cosine',
        warmupEpochs: 0,
        labelSmoothing: 0,
        bnMomentum: 0.1,
        augment: { randomCrop: 2, flip: false },
      },
      finalData: 'train',
      metric: 'auto',
    },
    runtime: { backend: 'auto', workers: 2, jobTimeoutSeconds: 600, retries: 1 },
    output: { dir: join(cwd, 'runs'), saveModel: true, progress: 'auto' },
  };
}

describe('recipes/mnist.yaml', () => {
  test('loads clean with the documented values', async () => {
    const cwd = tempProject();
    const loaded = await loadRecipe(defaultRecipePath(), { cwd });
    expect(loaded.recipe).toEqual(documented(cwd));
    expect(loaded.source.path).toBe(defaultRecipePath());
    expect(loaded.projectDefaults).toBeUndefined();
  });

  test('the schema defaults are the documented values except where the MNIST recipe tunes its run', async () => {
    const dir = tempProject({ 'mnist.yaml': lines('task: { id: mnist }') });
    const { recipe } = await loadRecipe(join(dir, 'mnist.yaml'), { cwd: dir });
    // The name comes from the file name; the description has no default. The MNIST recipe sets a
    // stride-2 stem, wider minimum channels, FLOPs and minimum-params budgets, the hgnas method
    // (the schema's default stays the generator-free random baseline), a smaller search budget,
    // more epochs and shift augmentation on top of them.
    const mnist = documented(dir);
    expect(recipe).toEqual({
      ...mnist,
      description: null,
      task: { ...mnist.task, stemStride: 'auto' },
      space: { ...mnist.space, channels: { min: 8, max: 64 } },
      constraints: { ...mnist.constraints, flops: null, minParams: null },
      search: { ...mnist.search, method: 'random', budget: { evaluations: 100, seconds: null } },
      evaluation: { ...mnist.evaluation, train: { ...mnist.evaluation.train, epochs: 4, augment: { randomCrop: 0, flip: false } } },
    });
  });

  test('the run name defaults to the file name, made valid', async () => {
    const dir = tempProject({ 'My Recipe (v2).YAML': lines('task: { id: mnist }') });
    const { recipe } = await loadRecipe(join(dir, 'My Recipe (v2).YAML'));
    expect(recipe.name).toBe('my-recipe-v2');
  });

  test('recipeToYaml round-trips: loading the resolved YAML gives the same recipe', async () => {
    const dir = tempProject();
    const { recipe } = await loadRecipe(defaultRecipePath(), { cwd: dir, overrides: ['constraints.flops=450M', 'search.budget.seconds=900.5'] });
    const text = recipeToYaml(recipe);
    expect(text).toContain('flops: 450000000');
    writeFileSync(join(dir, 'recipe.resolved.yaml'), text);
    const again = await loadRecipe(join(dir, 'recipe.resolved.yaml'), { cwd: dir });
    expect(again.recipe).toEqual(recipe);
  });
});

interface Node {
  type?: string | string[];
  description?: string;
  default?: unknown;
  properties?: Record<string, Node>;
  additionalProperties?: boolean;
  items?: Node;
  enum?: unknown[];
}

describe('schemas/recipe.schema.json', () => {
  const schema = JSON.parse(readFileSync(recipeSchemaPath(), 'utf8')) as Node & { $id: string; $schema: string };

  test('is draft 2020-12 with an $id', () => {
    expect(schema.$schema).toBe('https://json-schema.org/draft/2020-12/schema');
    expect(schema.$id).toBe('https://hgnas.dev/schemas/recipe.schema.json');
  });

  test('every field has a description and a default (except task and task.id), every mapping is closed', () => {
    const missing: string[] = [];
    const visit = (node: Node, path: string): void => {
      if (node.properties === undefined) return;
      if (node.additionalProperties !== false) missing.push(`${path || '(root)'}: additionalProperties`);
      for (const [key, child] of Object.entries(node.properties)) {
        const childPath = path === '' ? key : `${path}.${key}`;
        if (child.description === undefined) missing.push(`${childPath}: description`);
        if (!('default' in child) && childPath !== 'task' && childPath !== 'task.id') missing.push(`${childPath}: default`);
        visit(child, childPath);
      }
    };
    visit(schema, '');
    expect(missing).toEqual([]);
  });

  test('enums match the names the code uses', () => {
    const p = schema.properties!;
    expect(p.task.properties!.id.enum).toEqual([...TASK_IDS]);
    expect(p.search.properties!.method.enum).toEqual([...SEARCH_METHODS]);
    expect(p.search.properties!.fitness.enum).toEqual([...FITNESS_NAMES]);
    expect(p.space.properties!.ops.items!.enum).toEqual([...OP_NAMES]);
    expect(p.space.properties!.kernels.items!.enum).toEqual([...KERNEL_SIZES]);
  });
});
