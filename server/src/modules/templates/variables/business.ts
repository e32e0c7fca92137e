import type { BusinessRow } from '../../config-cache/index.js';
import { businessConfig, onceKnown, type VariableProvider } from './variable-env.js';

/** "Label: value" lines for the parts of the profile the business filled in. */
export function formatBusinessInfo(business: BusinessRow): string {
  const lines: [string, string | null][] = [
    ['Name', business.businessName],
    ['Description', business.businessDescription],
    ['Address', business.address],
    ['Phone', business.phoneNumber],
    ['Website', business.website],
  ];
  return lines
    .filter(([, value]) => value?.trim())
    .map(([label, value]) => `${label}: ${value?.trim()}`)
    .join('\n');
}

export const businessVariables: Record<string, VariableProvider> = {
  business_name: (env) => onceKnown(businessConfig(env), (config) => config.business.businessName),
  business_description: (env) =>
    onceKnown(businessConfig(env), (config) => config.business.businessDescription),
  business_info: (env) => onceKnown(businessConfig(env), (config) => formatBusinessInfo(config.business)),
};
