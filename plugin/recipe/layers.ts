/**
 * The recipe is a stack of layers — schema defaults, project defaults, the recipe file, `--set`
 * overrides — merged bottom to top. Each layer remembers which paths it defined and where, so
 * an issue at any path can be reported against the file (and line:column) it came from.
 */
import { formatPath, isPlainObject, parentPath, type PathSegment } from './path.js';
import type { SourcePosition } from './source.js';
import type { RecipeIssue } from './types.js';

export type LayerKind = 'default' | 'file' | 'set';

export interface Layer {
  kind: LayerKind;
  /** For `file` layers: the file's path. */
  file?: string;
  value: unknown;
  /** Every path this layer defines; positions for file layers, null otherwise. */
  positions: Map<string, SourcePosition | null>;
}

/** Objects merge key by key; anything else (lists included) replaces what is below it. */
export function deepMerge(lower: unknown, upper: unknown): unknown {
  if (!isPlainObject(lower) || !isPlainObject(upper)) return structuredClone(upper);
  const out: Record<string, unknown> = structuredClone(lower);
  for (const [key, value] of Object.entries(upper)) {
    out[key] = key in out ? deepMerge(out[key], value) : structuredClone(value);
  }
  return out;
}

export function mergeLayers(layers: readonly Layer[]): unknown {
  return layers.reduce<unknown>((acc, layer) => (layer.value === null ? acc : deepMerge(acc, layer.value)), {});
}

/** Every path in `value`, for layers that have no source positions. */
export function allPaths(value: unknown, segments: PathSegment[] = [], into = new Map<string, SourcePosition | null>()): Map<string, SourcePosition | null> {
  into.set(formatPath(segments), null);
  if (Array.isArray(value)) value.forEach((item, i) => allPaths(item, [...segments, i], into));
  else if (isPlainObject(value)) for (const [key, item] of Object.entries(value)) allPaths(item, [...segments, key], into);
  return into;
}

export interface Located {
  layer: Layer;
  position: SourcePosition | null;
  /** True when `path` itself is not defined and the position is its nearest defined ancestor's. */
  viaAncestor: boolean;
}

/** Builds issues located in the layer that defined each path (the topmost one wins). */
export class IssueLocator {
  private readonly topDown: Layer[];

  constructor(layers: readonly Layer[], private readonly recipeFile: string) {
    this.topDown = [...layers].reverse();
  }

  locate(path: string): Located {
    // A path nobody defines (a missing required key) is shown at its nearest ancestor that a
    // user wrote; a path only the defaults define is a default.
    for (let probe: string | null = path; probe !== null; probe = parentPath(probe)) {
      for (const layer of this.topDown) {
        if (!layer.positions.has(probe) || (layer.kind === 'default' && probe !== path)) continue;
        return { layer, position: layer.positions.get(probe) ?? null, viaAncestor: probe !== path };
      }
    }
    return { layer: this.topDown[this.topDown.length - 1], position: null, viaAncestor: false };
  }

  /** Whether `path` was written by the user (a file or `--set`) rather than coming from defaults. */
  isUserValue(path: string): boolean {
    const found = this.locate(path);
    return !found.viaAncestor && found.layer.kind !== 'default';
  }

  /**
   * An issue at the first of `paths` a user wrote (so a conflict between a default and a user
   * value points at the user's line), else at the first path.
   * `atKey` points at the key rather than the value (unknown and duplicate keys).
   */
  issue(paths: string | readonly string[], message: string, hint?: string, atKey = false): RecipeIssue {
    const candidates = typeof paths === 'string' ? [paths] : paths;
    const primary = candidates.find((p) => this.isUserValue(p)) ?? candidates[0];
    const found = this.locate(primary);
    const base: RecipeIssue = { path: primary, line: null, column: null, message, ...(hint === undefined ? {} : { hint }) };
    if (found.layer.kind === 'set') return { ...base, origin: 'set' };
    if (found.layer.kind === 'default' || found.position === null) return { ...base, origin: 'default' };
    const useKey = (atKey || found.viaAncestor) && found.position.keyLine !== undefined;
    const line = useKey ? found.position.keyLine! : found.position.line;
    const column = useKey ? found.position.keyColumn! : found.position.column;
    return { ...base, line, column, ...(found.layer.file !== undefined && found.layer.file !== this.recipeFile ? { file: found.layer.file } : {}) };
  }

  /** The layer a path's value came from (for resolving relative paths against its file). */
  layerOf(path: string): Layer {
    return this.locate(path).layer;
  }
}
