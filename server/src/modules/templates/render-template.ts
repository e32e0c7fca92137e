import { BUILT_IN_VARIABLE_NAMES } from './variable-catalogue.js';

export interface RenderOptions {
  /** Names that may also be written `{name}` (legacy single-brace syntax). Defaults to the built-in catalogue. */
  knownVariables?: ReadonlySet<string>;
}

export interface RenderResult {
  rendered: string;
  variablesUsed: string[];
  missingVariables: string[];
}

// Group 1: `{{ name }}`; group 2: legacy `{name}` (no inner whitespace, so `{ "a": 1 }` never matches).
// Shared and global: String#replace and matchAll reset/copy lastIndex, so reuse is safe.
const PLACEHOLDER = /\{\{\s*([A-Za-z_][A-Za-z0-9_.-]*)\s*\}\}|\{([A-Za-z_][A-Za-z0-9_.-]*)\}/g;

const NOT_FOUND: unique symbol = Symbol('not-found');

export function renderTemplate(
  content: string,
  variables: Record<string, unknown>,
  options?: RenderOptions,
): RenderResult {
  const used: string[] = [];
  const missing: string[] = [];
  if (!content.includes('{')) return { rendered: content, variablesUsed: used, missingVariables: missing };
  const known = options?.knownVariables ?? BUILT_IN_VARIABLE_NAMES;

  // One pass over the template: replacement text is never re-scanned, so variable values cannot inject placeholders.
  const rendered = content.replace(PLACEHOLDER, (match: string, doubleName?: string, singleName?: string) => {
    const name = doubleName ?? singleName;
    if (name === undefined || (doubleName === undefined && !known.has(name))) return match;
    const value = lookUpVariable(variables, name);
    if (value === NOT_FOUND) {
      if (!missing.includes(name)) missing.push(name);
      return '';
    }
    if (!used.includes(name)) used.push(name);
    return formatValue(value);
  });
  return { rendered, variablesUsed: used, missingVariables: missing };
}

export function extractVariableNames(
  content: string,
  knownVariables: ReadonlySet<string> = BUILT_IN_VARIABLE_NAMES,
): string[] {
  const names: string[] = [];
  if (!content.includes('{')) return names;
  for (const match of content.matchAll(PLACEHOLDER)) {
    const name = match[1] ?? match[2];
    if (name === undefined || (match[1] === undefined && !knownVariables.has(name))) continue;
    if (!names.includes(name)) names.push(name);
  }
  return names;
}

/** Flat key first (`order.id` may be a key of its own); otherwise a dotted path into nested plain objects. */
function lookUpVariable(variables: Record<string, unknown>, name: string): unknown {
  if (Object.hasOwn(variables, name)) return variables[name];
  if (!name.includes('.')) return NOT_FOUND;
  let current: unknown = variables;
  for (const segment of name.split('.')) {
    if (current === null || typeof current !== 'object' || !Object.hasOwn(current, segment)) return NOT_FOUND;
    current = (current as Record<string, unknown>)[segment];
  }
  return current;
}

export function formatValue(value: unknown): string {
  if (value === null || value === undefined) return '';
  switch (typeof value) {
    case 'string':
      return value;
    case 'number':
    case 'boolean':
    case 'bigint':
      return String(value);
    case 'object':
      return formatObject(value);
    default:
      // Functions and symbols have no meaningful text form in a prompt.
      return '';
  }
}

function formatObject(value: object): string {
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? '' : value.toISOString();
  try {
    return JSON.stringify(value, jsonReplacer, 2) ?? '';
  } catch {
    // Circular structures: a prompt should still render rather than fail the whole message.
    return String(value);
  }
}

function jsonReplacer(_key: string, value: unknown): unknown {
  return typeof value === 'bigint' ? value.toString() : value;
}
