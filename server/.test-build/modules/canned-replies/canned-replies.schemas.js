import { Type } from '@sinclair/typebox';
import { Timestamp, Uuid } from '../../lib/schemas.js';
const Shortcut = Type.String({
    pattern: '^[a-z0-9][a-z0-9_-]{0,31}$',
    description: 'What an agent types after `/`: lower-case letters, digits, `_` and `-`, at most 32',
});
const Content = Type.String({
    minLength: 1,
    maxLength: 4000,
    description: 'The reply, with `{{variables}}` as in templates',
});
export const CannedReply = Type.Object({
    canned_reply_id: Uuid,
    business_id: Uuid,
    shortcut: Type.String(),
    content: Type.String(),
    created_at: Timestamp,
    updated_at: Timestamp,
}, { $id: 'CannedReply' });
export const CannedReplyList = Type.Object({
    canned_replies: Type.Array(Type.Composite([
        CannedReply,
        Type.Object({
            rendered: Type.Optional(Type.String({
                description: 'With conversation_id: the content with its variables rendered for that conversation (unknown ones empty)',
            })),
        }),
    ])),
}, { $id: 'CannedReplyList' });
export const ListCannedRepliesQuery = Type.Object({
    business_id: Type.Optional(Uuid),
    conversation_id: Type.Optional(Uuid),
});
export const CreateCannedReplyBody = Type.Object({ business_id: Type.Optional(Uuid), shortcut: Shortcut, content: Content }, { $id: 'CreateCannedReplyBody', additionalProperties: false });
export const UpdateCannedReplyBody = Type.Object({ shortcut: Type.Optional(Shortcut), content: Type.Optional(Content) }, { $id: 'UpdateCannedReplyBody', additionalProperties: false, minProperties: 1 });
export const CannedReplyParams = Type.Object({ canned_reply_id: Uuid });
//# sourceMappingURL=canned-replies.schemas.js.map