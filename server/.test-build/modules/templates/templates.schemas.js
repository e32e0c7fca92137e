import { Type } from '@sinclair/typebox';
import { ListResponse, Nullable, PageQuery, Timestamp, Uuid } from '../../lib/schemas.js';
import { TemplateTypeInput, TemplateTypeOutput } from './template-types.js';
const Name = Type.String({ minLength: 1, maxLength: 200 });
const Content = Type.String({ minLength: 1, maxLength: 100_000 });
const SystemPrompt = Type.String({ maxLength: 50_000 });
export const Template = Type.Object({
    template_id: Uuid,
    business_id: Uuid,
    template_name: Type.String(),
    template_type: TemplateTypeOutput,
    content: Type.String(),
    system_prompt: Type.String(),
    is_default: Type.Boolean(),
    version: Type.Integer({ description: 'Increments on every update; each version is kept' }),
    created_at: Timestamp,
    updated_at: Timestamp,
}, { $id: 'Template' });
const Warnings = Type.Array(Type.String(), {
    description: 'Non-blocking remarks, such as variables the built-in catalogue does not know',
});
export const TemplateWithWarnings = Type.Intersect([Template, Type.Object({ warnings: Warnings })], {
    $id: 'TemplateWithWarnings',
});
export const CreateTemplateBody = Type.Object({
    business_id: Type.Optional(Uuid),
    template_name: Name,
    template_type: TemplateTypeInput,
    content: Content,
    system_prompt: Type.Optional(SystemPrompt),
    is_default: Type.Optional(Type.Boolean()),
}, { $id: 'CreateTemplateBody', additionalProperties: false });
export const UpdateTemplateBody = Type.Object({
    template_name: Type.Optional(Name),
    template_type: Type.Optional(TemplateTypeInput),
    content: Type.Optional(Content),
    system_prompt: Type.Optional(SystemPrompt),
    is_default: Type.Optional(Type.Boolean()),
}, { $id: 'UpdateTemplateBody', additionalProperties: false, minProperties: 1 });
export const ListTemplatesQuery = Type.Object({
    business_id: Type.Optional(Uuid),
    template_type: Type.Optional(TemplateTypeInput),
    is_default: Type.Optional(Type.Boolean()),
    ...PageQuery,
});
export const TemplateVersion = Type.Object({
    template_id: Uuid,
    version: Type.Integer(),
    template_name: Type.String(),
    content: Type.String(),
    system_prompt: Type.String(),
    created_at: Timestamp,
}, { $id: 'TemplateVersion' });
export const VersionParams = Type.Object({ template_id: Uuid, version: Type.Integer({ minimum: 1 }) });
export const RenderBody = Type.Object({
    variables: Type.Optional(Type.Record(Type.String(), Type.Unknown(), {
        description: 'Values that win over everything computed; use for preview sample values',
    })),
    conversation_id: Type.Optional(Uuid),
    message_content: Type.Optional(Type.String({ maxLength: 100_000 })),
    content: Type.Optional(Type.String({
        maxLength: 100_000,
        description: 'An unsaved draft to render instead of the stored content',
    })),
    system_prompt: Type.Optional(Type.String({ maxLength: 100_000, description: 'An unsaved draft of the system prompt' })),
}, { $id: 'RenderBody', additionalProperties: false });
export const RenderResponse = Type.Object({
    rendered_content: Type.String(),
    rendered_system_prompt: Type.String(),
    variables_used: Type.Array(Type.String()),
    missing_variables: Type.Array(Type.String(), {
        description: 'Placeholders nothing supplied a value for; they render as empty text',
    }),
    warnings: Warnings,
}, { $id: 'RenderResponse' });
export const TemplateVariable = Type.Object({
    name: Type.String(),
    description: Type.String(),
    required: Type.Boolean({
        description: 'true for built-ins (always filled at run time); false for keys that render empty when absent',
    }),
    default_value: Nullable(Type.String()),
    built_in: Type.Boolean(),
    category: Nullable(Type.String()),
}, { $id: 'TemplateVariable' });
export const CatalogueVariable = Type.Object({
    name: Type.String(),
    description: Type.String(),
    category: Type.String(),
    example: Type.String(),
}, { $id: 'CatalogueVariable' });
export const TemplateVersionList = Type.Composite([ListResponse('versions', TemplateVersion), Type.Object({ current_version: Type.Integer() })], { $id: 'TemplateVersionList' });
export const TemplateVariableList = Type.Object({ variables: Type.Array(TemplateVariable) }, { $id: 'TemplateVariableList' });
export const CatalogueVariableList = Type.Object({ variables: Type.Array(CatalogueVariable) }, { $id: 'CatalogueVariableList' });
//# sourceMappingURL=templates.schemas.js.map