import { AppError } from '../../errors.js';
/** A customer's words, trimmed; refused when empty (400) or longer than the limit (413). */
export function acceptableContent(raw, maxChars) {
    const content = raw.trim();
    if (!content)
        throw new AppError('VALIDATION_ERROR', 'content must not be empty', {
            field_errors: { content: 'must not be empty' },
        });
    if (content.length > maxChars)
        throw new AppError('PAYLOAD_TOO_LARGE', `content is longer than ${maxChars} characters`, {
            field_errors: { content: `at most ${maxChars} characters` },
        });
    return content;
}
//# sourceMappingURL=message-content.js.map