/** The resolved recipe as YAML (for `recipe.resolved.yaml`), and human counts. */
import { Document, isSeq, visit } from 'yaml';
import { isPlainObject } from './path.js';
import { recipeSchema, type SchemaNode } from './schema.js';
import type { Recipe } from './types.js';

export { parseHumanNumber } from './human-number.js';

/** A copy whose keys follow the schema's order, so resolved files read like the documentation. */
function inSchemaOrder(value: unknown, schema: SchemaNode | undefined): unknown {
  if (!isPlainObject(value) || schema?.properties === undefined) return value;
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(schema.properties)) if (key in value) out[key] = inSchemaOrder(value[key], schema.properties[key]);
  for (const key of Object.keys(value)) if (!(key in out)) out[key] = value[key];
  return out;
}

/** Every field of the recipe, defaults applied and paths absolute; loading it gives the same recipe. */
export function recipeToYaml(recipe: Recipe): string {
  const doc = new Document(inSchemaOrder(recipe, recipeSchema()));
  doc.commentBefore = ' hgnas recipe, fully resolved: defaults, project defaults and --set overrides applied';
  // Short lists (strides, ops, kernels) on one line, as people write them.
  visit(doc, {
    Seq(_, node) {
      if (isSeq(node)) node.flow = true;
    },
  });
  return doc.toString({ lineWidth: 0 });
}
