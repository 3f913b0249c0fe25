/** Recipes: loading, validation, defaults and error reporting (design.md §2 step 1). */
export * from './types.js';
export { loadRecipe, nameFromFile, type LoadRecipeOptions } from './load.js';
export { RecipeError, formatIssue, formatIssues } from './errors.js';
export {
  semanticChecks,
  checkCellsCoverStages,
  checkCheckpoint,
  checkDataDirectory,
  checkListsNonEmptyUnique,
  checkMultiplesOfEight,
  checkRangesOrdered,
  checkSearchBudget,
  checkSplitSumsToOne,
  checkTraining,
  checkWorkers,
  type CheckContext,
  type SemanticCheck,
} from './semantic.js';
export { recipeToYaml, parseHumanNumber } from './resolve.js';
export { HUMAN_NUMBER_EXAMPLES } from './human-number.js';
export { defaultRecipePath, recipeSchemaPath } from './assets.js';
