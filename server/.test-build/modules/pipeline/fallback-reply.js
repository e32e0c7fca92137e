import { DEFAULT_FALLBACK_REPLY } from '../templates/default-templates.js';
import { PromptTooLarge } from '../templates/index.js';
import { renderWithContext } from '../templates/variables/compute-variables.js';
/** What the customer gets when no model answers: the stage's text, else the business's, else ours. */
export function fallbackText(config, stage) {
    return stage.fallbackReply || config.business.settings.fallback_reply || DEFAULT_FALLBACK_REPLY;
}
/** The fallback text with its variables filled in ({{user_name}}, {{order_number}}…); never empty. */
export async function renderFallbackReply(ctx, config, stage, variables) {
    const text = fallbackText(config, stage);
    const rendered = await renderWithContext(ctx, { content: text, systemPrompt: '' }, variables).catch((error) => {
        // A fallback whose variables are too large still answers, with its text unfilled.
        if (error instanceof PromptTooLarge)
            return { rendered_content: DEFAULT_FALLBACK_REPLY };
        throw error;
    });
    return { text, reply: rendered.rendered_content.trim() || DEFAULT_FALLBACK_REPLY };
}
//# sourceMappingURL=fallback-reply.js.map