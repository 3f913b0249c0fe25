/**
 * YAML (and JSON, a subset of it) text → plain value plus the line:column of every path in it.
 * Syntax errors, duplicate keys and alias bombs become issues instead of exceptions.
 */
import { isAlias, isMap, isPair, isScalar, isSeq, LineCounter, parseDocument, type Document, type Node } from 'yaml';
import { formatPath, type PathSegment } from './path.js';
import type { RecipeIssue } from './types.js';

export interface SourcePosition {
  /** Where the value starts (1-based); for an empty value, where its key starts. */
  line: number;
  column: number;
  /** Where the key of a mapping entry starts; absent for list items and the root. */
  keyLine?: number;
  keyColumn?: number;
}

export interface ParsedSource {
  /** null when the document holds nothing (empty or only comments). */
  value: unknown;
  /** Every path the document defines, '' being the root. */
  positions: Map<string, SourcePosition>;
  issues: RecipeIssue[];
  /** False when the text could not be read as YAML at all (syntax errors, alias bombs). */
  readable: boolean;
}

export interface ParseOptions {
  /** Set on every issue: the file, when it is not the recipe itself. */
  file?: string;
  /** Read only this top-level key (package.json#hgnas); paths are relative to it. */
  rootKey?: string;
}

type Located = { line: number; column: number };

/** First line of a yaml error message, without the "at line X, column Y" the position repeats. */
function syntaxMessage(message: string): string {
  const first = message.split('\n')[0] ?? message;
  return first.replace(/ at line \d+, column \d+:?$/, '');
}

export function parseYamlSource(text: string, options: ParseOptions = {}): ParsedSource {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, keepSourceTokens: true, uniqueKeys: false, prettyErrors: true, logLevel: 'error' });
  const issues: RecipeIssue[] = [];
  const fileField = options.file === undefined ? {} : { file: options.file };
  const positions = new Map<string, SourcePosition>();

  if (doc.errors.length > 0) {
    for (const error of doc.errors) {
      const at = error.linePos?.[0];
      issues.push({ path: '', line: at?.line ?? null, column: at?.col ?? null, message: `YAML syntax error: ${syntaxMessage(error.message)}`, ...fileField });
    }
    return { value: null, positions, issues, readable: false };
  }

  const at = (offset: number): Located => {
    const pos = lineCounter.linePos(offset);
    return { line: pos.line, column: pos.col };
  };

  let root: unknown = doc.contents;
  if (options.rootKey !== undefined) {
    root = isMap(root) ? root.items.find((pair) => isScalar(pair.key) && pair.key.value === options.rootKey)?.value ?? null : null;
  }

  const walk = (node: unknown, segments: PathSegment[], key: Located | undefined, stack: Set<unknown>): void => {
    const path = formatPath(segments);
    const range = (node as Node | null)?.range;
    const start = range !== undefined && range !== null && (range[0] !== range[1] || key === undefined) ? at(range[0]) : key ?? { line: 1, column: 1 };
    positions.set(path, { ...start, ...(key === undefined ? {} : { keyLine: key.line, keyColumn: key.column }) });
    if (stack.has(node)) return;
    stack.add(node);
    const target = isAlias(node) ? node.resolve(doc as Document) : node;
    if (isMap(target)) {
      const seen = new Map<string, Located>();
      for (const pair of target.items) {
        if (!isPair(pair)) continue;
        const keyNode = pair.key as Node | null;
        const name = isScalar(keyNode) ? String(keyNode.value) : String(keyNode ?? '');
        const keyAt = keyNode?.range ? at(keyNode.range[0]) : start;
        const first = seen.get(name);
        if (first !== undefined) {
          issues.push({
            path: formatPath([...segments, name]),
            line: keyAt.line,
            column: keyAt.column,
            message: `duplicate key '${name}' (first given at line ${first.line}:${first.column})`,
            hint: 'keep one of them',
            ...fileField,
          });
        } else {
          seen.set(name, keyAt);
        }
        walk(pair.value, [...segments, name], keyAt, stack);
      }
    } else if (isSeq(target)) {
      target.items.forEach((item, index) => walk(item, [...segments, index], undefined, stack));
    }
    stack.delete(node);
  };

  if (root === null || root === undefined) return { value: null, positions, issues, readable: true };
  walk(root, [], undefined, new Set());

  let value: unknown;
  try {
    const whole = doc.toJS({ maxAliasCount: 100 }) as unknown;
    value = options.rootKey !== undefined ? (whole as Record<string, unknown>)[options.rootKey] : whole;
  } catch (error) {
    issues.push({ path: '', line: null, column: null, message: `cannot read the YAML: ${(error as Error).message}`, ...fileField });
    return { value: null, positions, issues, readable: false };
  }
  return { value: value ?? null, positions, issues, readable: true };
}
