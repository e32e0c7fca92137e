import { Type } from '@sinclair/typebox';
import { invalid } from '../../errors.js';
import { TEMPLATE_ROLES } from './default-templates.js';
export const TEMPLATE_TYPES = [
    'stage_selection',
    'data_extraction',
    'response_generation',
    'default_stage_selection',
    'default_data_extraction',
    'default_response_generation',
];
/** Short forms api.md accepts on input; stored and returned in the long form. */
export const TEMPLATE_TYPE_ALIASES = {
    selection: 'stage_selection',
    extraction: 'data_extraction',
    generation: 'response_generation',
};
// Type.String with `enum`: one clear validation message ("must be equal to one of the allowed values").
export const TemplateTypeInput = Type.String({
    enum: [...TEMPLATE_TYPES, ...Object.keys(TEMPLATE_TYPE_ALIASES)],
    description: `One of ${TEMPLATE_TYPES.join(', ')}; the short forms selection, extraction, generation are accepted`,
});
export const TemplateTypeOutput = Type.String({ enum: [...TEMPLATE_TYPES] });
export function normaliseTemplateType(value) {
    const lowered = value.trim().toLowerCase();
    const alias = TEMPLATE_TYPE_ALIASES[lowered];
    if (alias)
        return alias;
    if (TEMPLATE_TYPES.includes(lowered))
        return lowered;
    throw invalid(`Unknown template_type "${value}"`, {
        template_type: `must be one of ${TEMPLATE_TYPES.join(', ')}`,
    });
}
export const isTemplateRole = (value) => TEMPLATE_ROLES.includes(value);
/** The stage column that holds a template of each role. */
export const ROLE_FIELDS = {
    stage_selection: 'stage_selection_template_id',
    data_extraction: 'data_extraction_template_id',
    response_generation: 'response_generation_template_id',
};
//# sourceMappingURL=template-types.js.map