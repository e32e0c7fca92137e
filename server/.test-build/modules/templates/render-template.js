import { AppError } from '../../errors.js';
import { BUILT_IN_VARIABLE_NAMES } from './variable-catalogue.js';
/** A render that would pass a size bound; 413 PAYLOAD_TOO_LARGE for a client, the fallback in a turn. */
export class PromptTooLarge extends AppError {
    constructor(what, limit, name) {
        const subject = what === 'prompt'
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
const NOT_FOUND = Symbol('not-found');
export function renderTemplate(content, variables, options) {
    const used = [];
    const missing = [];
    const maxChars = options?.maxChars ?? Number.POSITIVE_INFINITY;
    const maxValueChars = options?.maxValueChars ?? Number.POSITIVE_INFINITY;
    if (!content.includes('{')) {
        if (content.length > maxChars)
            throw new PromptTooLarge('prompt', maxChars);
        return { rendered: content, variablesUsed: used, missingVariables: missing };
    }
    const known = options?.knownVariables ?? BUILT_IN_VARIABLE_NAMES;
    // Each value is looked up and formatted once, however often the template repeats it.
    const formatted = new Map();
    const pieces = [];
    let length = 0;
    const append = (piece) => {
        if (length + piece.length > maxChars)
            throw new PromptTooLarge('prompt', maxChars);
        length += piece.length;
        pieces.push(piece);
    };
    // One pass over the template: replacement text is never re-scanned, so variable values cannot inject placeholders.
    const placeholder = new RegExp(PLACEHOLDER);
    let cursor = 0;
    for (let match = placeholder.exec(content); match; match = placeholder.exec(content)) {
        const [text, doubleName, singleName] = match;
        const name = doubleName ?? singleName;
        if (name === undefined || (doubleName === undefined && !known.has(name)))
            continue;
        append(content.slice(cursor, match.index));
        cursor = match.index + text.length;
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
            if (!missing.includes(name))
                missing.push(name);
            continue;
        }
        if (!used.includes(name))
            used.push(name);
        append(value);
    }
    append(content.slice(cursor));
    return { rendered: pieces.join(''), variablesUsed: used, missingVariables: missing };
}
export function extractVariableNames(content, knownVariables = BUILT_IN_VARIABLE_NAMES) {
    const names = [];
    if (!content.includes('{'))
        return names;
    for (const match of content.matchAll(PLACEHOLDER)) {
        const name = match[1] ?? match[2];
        if (name === undefined || (match[1] === undefined && !knownVariables.has(name)))
            continue;
        if (!names.includes(name))
            names.push(name);
    }
    return names;
}
/** Flat key first (`order.id` may be a key of its own); otherwise a dotted path into nested plain objects. */
function lookUpVariable(variables, name) {
    if (Object.hasOwn(variables, name))
        return variables[name];
    if (!name.includes('.'))
        return NOT_FOUND;
    let current = variables;
    for (const segment of name.split('.')) {
        if (current === null || typeof current !== 'object' || !Object.hasOwn(current, segment))
            return NOT_FOUND;
        current = current[segment];
    }
    return current;
}
export function formatValue(value) {
    if (value === null || value === undefined)
        return '';
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
function formatObject(value) {
    if (value instanceof Date)
        return Number.isNaN(value.getTime()) ? '' : value.toISOString();
    try {
        return JSON.stringify(value, jsonReplacer, 2) ?? '';
    }
    catch {
        // Circular structures: a prompt should still render rather than fail the whole message.
        return String(value);
    }
}
function jsonReplacer(_key, value) {
    return typeof value === 'bigint' ? value.toString() : value;
}
//# sourceMappingURL=render-template.js.map