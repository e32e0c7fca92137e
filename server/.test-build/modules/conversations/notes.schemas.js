import { Type } from '@sinclair/typebox';
import { Nullable, Timestamp, Uuid } from '../../lib/schemas.js';
export const NOTE_MAX_CHARS = 4000;
/** An internal note: the team sees it; the customer never does, and no prompt contains it. */
export const Note = Type.Object({
    note_id: Uuid,
    conversation_id: Uuid,
    content: Type.String(),
    author_id: Nullable(Type.String({ format: 'uuid', description: 'The account that wrote it; null for an API key' })),
    author_name: Type.String({ description: 'The author’s name when the note was written' }),
    created_at: Timestamp,
}, { $id: 'Note' });
export const NoteList = Type.Object({ notes: Type.Array(Note) }, { $id: 'NoteList' });
export const CreateNoteBody = Type.Object({ content: Type.String({ minLength: 1, maxLength: NOTE_MAX_CHARS }) }, { $id: 'CreateNoteBody', additionalProperties: false });
//# sourceMappingURL=notes.schemas.js.map