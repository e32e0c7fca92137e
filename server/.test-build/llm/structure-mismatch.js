/** The model answered, but not in the requested shape: its words are kept for the caller to validate. */
export class StructureMismatch extends Error {
    text;
    constructor(text) {
        super('The model answer did not match the requested structure');
        this.text = text;
    }
}
//# sourceMappingURL=structure-mismatch.js.map