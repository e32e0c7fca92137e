import { businessConfig } from './variable-env.js';
/** "Label: value" lines for the parts of the profile the business filled in. */
export function formatBusinessInfo(business) {
    const lines = [
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
export const businessVariables = {
    business_name: async (env) => (await businessConfig(env)).business.businessName,
    business_description: async (env) => (await businessConfig(env)).business.businessDescription,
    business_info: async (env) => formatBusinessInfo((await businessConfig(env)).business),
};
//# sourceMappingURL=business.js.map