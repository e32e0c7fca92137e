import { Type } from '@sinclair/typebox';
/** The keys an edit may set: the names extraction and `{{variables}}` use. */
export const COLLECTED_KEY_PATTERN = '^[a-zA-Z][a-zA-Z0-9_]{0,63}$';
const CollectedValue = Type.Union([Type.String({ maxLength: 2000 }), Type.Number(), Type.Boolean(), Type.Null()], { description: 'The new value; null removes the key' });
export const UpdateCollectedDataBody = Type.Object({
    data: Type.Object({}, {
        patternProperties: { [COLLECTED_KEY_PATTERN]: CollectedValue },
        additionalProperties: false,
        minProperties: 1,
        maxProperties: 100,
        description: 'Keys to set (string, number or boolean) or remove (null); keys not named stay as they are',
    }),
}, { $id: 'UpdateCollectedDataBody', additionalProperties: false });
export const CollectedData = Type.Object({ collected_data: Type.Record(Type.String(), Type.Unknown()) }, { $id: 'CollectedData' });
//# sourceMappingURL=collected-data.schemas.js.map