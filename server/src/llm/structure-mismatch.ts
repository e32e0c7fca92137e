/** The model answered, but not in the requested shape: its words are kept for the caller to validate. */
export class StructureMismatch extends Error {
  constructor(readonly text: string) {
    super('The model answer did not match the requested structure');
  }
}
