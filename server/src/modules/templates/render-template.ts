import { AppError } from '../../errors.js';
import { BUILT_IN_VARIABLE_NAMES } from './variable-catalogue.js';

export interface RenderOptions {
  /** Names that may also be written `{name}` (legacy single-brace syntax). Defaults to the built-in catalogue. */
  knownVariables?: ReadonlySet<string>;
  /**
   * The most characters the rendered text may have. The render stops as soon as the next piece would
   * pass it and throws `PromptTooLarge`: a short template repeating a large value never builds the
   * huge string.
   */
  maxChars?: number;
  /** The most characters one variable's value may have as text (`PromptTooLarge` above). */
  maxValueChars?: number;
}

export interface RenderResult {
  rendered: string;
  variablesUsed: string[];
  missingVariables: string[];
}

/** A render that would pass a size bound; 413 PAYLOAD_TOO_LARGE for a client, the fallback in a turn. */
export class PromptTooLarge extends AppError {
  constructor(what: 'prompt' | 'variable' | 'template', limit: number, name?: string) {
    const subject =
      what === 'prompt'
        ? 'The rendered prompt'
        : what === 'variable'
          ? `The value of {{${name}}}`
          : 'The template';
    super('PAYLOAD_TOO_LARGE', `${subject} would be longer than ${limit} characters`, {
      limit_chars: limit,
      ...(name ? { variable: name } : {}),
    });
  }
}

// Group 1: `{{ name }}`; group 2: legacy `{name}` (no inner whitespace, so `{ "a": 1 }` never matches).
const PLACEHOLDER = /\{\{\s*([A-Za-z_][A-Za-z0-9_.-]*)\s*\}\}|\{([A-Za-z_][A-Za-z0-9_.-]*)\}/g;

const NOT_FOUND: unique symbol = Symbol('not-found');

/**
 * A template split once into its literal text and its placeholders: `parts` alternates literal text
 * (even indexes) and variable names (odd), starting and ending with text; `names` lists each name once.
 */
interface ParsedTemplate {
  parts: string[];
  names: string[];
}

/**
 * Parsed templates of the built-in catalogue's syntax, by content: every turn renders the same few
 * texts, and each render scanned its template with the placeholder pattern twice (the names to
 * compute, then the values to place). Bounded by the texts' total length (a template may have 100,000
 * characters), oldest out first: an edited template leaves its old text behind.
 */
const parsedTemplates = new Map<string, ParsedTemplate>();
const MAX_PARSED_CHARS = 2_000_000;
let parsedChars = 0;

function parseTemplate(content: string, known: ReadonlySet<string>): ParsedTemplate {
  const cacheable = known === BUILT_IN_VARIABLE_NAMES;
  const cached = cacheable ? parsedTemplates.get(content) : undefined;
  if (cached) return cached;
  const parts: string[] = [];
  const names: string[] = [];
  let cursor = 0;
  for (const match of content.matchAll(PLACEHOLDER)) {
    const [text, doubleName, singleName] = match;
    const name = doubleName ?? singleName;
    if (name === undefined || (doubleName === undefined && !known.has(name))) continue;
    parts.push(content.slice(cursor, match.index), name);
    cursor = match.index + text.length;
    if (!names.includes(name)) names.push(name);
  }
  parts.push(content.slice(cursor));
  const parsed = { parts, names };
  if (cacheable && content.length <= MAX_PARSED_CHARS) {
    for (const oldest of parsedTemplates.keys()) {
      if (parsedChars + content.length <= MAX_PARSED_CHARS) break;
      parsedTemplates.delete(oldest);
      parsedChars -= oldest.length;
    }
    parsedTemplates.set(content, parsed);
    parsedChars += content.length;
  }
  return parsed;
}

export function renderTemplate(
  content: string,
  variables: Record<string, unknown>,
  options?: RenderOptions,
): RenderResult {
  const used: string[] = [];
  const missing: string[] = [];
  const maxChars = options?.maxChars ?? Number.POSITIVE_INFINITY;
  const maxValueChars = options?.maxValueChars ?? Number.POSITIVE_INFINITY;
  if (!content.includes('{')) {
    if (content.length > maxChars) throw new PromptTooLarge('prompt', maxChars);
    return { rendered: content, variablesUsed: used, missingVariables: missing };
  }
  const { parts } = parseTemplate(content, options?.knownVariables ?? BUILT_IN_VARIABLE_NAMES);
  // Each value is looked up and formatted once, however often the template repeats it.
  const formatted = new Map<string, string | typeof NOT_FOUND>();
  const pieces: string[] = [];
  let length = 0;
  const append = (piece: string) => {
    if (length + piece.length > maxChars) throw new PromptTooLarge('prompt', maxChars);
    length += piece.length;
    pieces.push(piece);
  };

  // One pass over the template: replacement text is never re-scanned, so variable values cannot inject placeholders.
  append(parts[0] as string);
  for (let i = 1; i < parts.length; i += 2) {
    const name = parts[i] as string;
    let value = formatted.get(name);
    if (value === undefined) {
      const raw = lookUpVariable(variables, name);
      value = raw === NOT_FOUND ? NOT_FOUND : formatValue(raw);
      if (value !== NOT_FOUND && value.length > maxValueChars) {
        throw new PromptTooLarge('variable', maxValueChars, name);
      }
      formatted.set(name, value);
    }
    if (value === NOT_FOUND) {
      if (!missing.includes(name)) missing.push(name);
    } else {
      if (!used.includes(name)) used.push(name);
      append(value);
    }
    append(parts[i + 1] as string);
  }
  return { rendered: pieces.join(''), variablesUsed: used, missingVariables: missing };
}

export function extractVariableNames(
  content: string,
  knownVariables: ReadonlySet<string> = BUILT_IN_VARIABLE_NAMES,
): string[] {
  if (!content.includes('{')) return [];
  // A copy: callers may change their list; the parsed template's is shared.
  return [...parseTemplate(content, knownVariables).names];
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
    // Without a replacer first: a replacer function takes JSON.stringify off its fast path, and only a
    // BigInt, which JSON has no form for (a TypeError), needs one.
    return JSON.stringify(value, null, 2) ?? '';
  } catch {
    try {
      return JSON.stringify(value, jsonReplacer, 2) ?? '';
    } catch {
      // Circular structures: a prompt should still render rather than fail the whole message.
      return String(value);
    }
  }
}

function jsonReplacer(_key: string, value: unknown): unknown {
  return typeof value === 'bigint' ? value.toString() : value;
}
