import { extractVariableNames } from '../render-template.js';
import { VARIABLE_PROVIDERS } from './compute-variables.js';

export interface FactsTemplate {
  content: string;
  systemPrompt?: string | null;
}

const isBuiltIn = (name: string) => Object.hasOwn(VARIABLE_PROVIDERS, name);

interface FactsUse {
  /** `{{extracted_data}}`, `{{missing_fields}}` or a name that is not built in. */
  facts: boolean;
  /** `{{user_name}}`, which reads a collected name when the profile has none. */
  userName: boolean;
}

// Templates come from the config cache, so the same object is asked about on every turn: scan it once.
const scanned = new WeakMap<FactsTemplate, FactsUse>();

function scan(template: FactsTemplate): FactsUse {
  const known = scanned.get(template);
  if (known) return known;
  const names = [
    ...extractVariableNames(template.content),
    ...extractVariableNames(template.systemPrompt ?? ''),
  ];
  const use: FactsUse = {
    facts: names.some((name) => {
      const root = name.split('.')[0] as string;
      return root === 'extracted_data' || name === 'missing_fields' || (!isBuiltIn(name) && !isBuiltIn(root));
    }),
    userName: names.includes('user_name'),
  };
  scanned.set(template, use);
  return use;
}

/**
 * Whether rendering this template reads the conversation's collected facts — and so must wait for
 * this message's extraction. Facts reach a template as `{{extracted_data}}` (or a path into it), as any
 * name that is not built in (`{{email}}`: a fact of its own name), and as `{{user_name}}` when the
 * customer's profile has no name (the provider falls back to a collected name). Every other built-in
 * (message, history, business, stage, time, ids) is known before the extraction answers.
 */
export function templateUsesFacts(template: FactsTemplate, options: { profileHasName: boolean }): boolean {
  const use = scan(template);
  return use.facts || (use.userName && !options.profileHasName);
}
