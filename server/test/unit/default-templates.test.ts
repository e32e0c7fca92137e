import { describe, expect, it } from 'vitest';
import {
  DEFAULT_FALLBACK_REPLY,
  DEFAULT_STAGE,
  DEFAULT_TEMPLATES,
} from '../../src/modules/templates/default-templates.js';

/** Characters outside Latin-1 (U+0000–U+00FF), which V8 stores two bytes each. */
const outsideLatin1 = (text: string) => [...text].filter((char) => (char.codePointAt(0) ?? 0) > 0xff);

describe('the default templates', () => {
  // One such character (an em dash, a curly quote) makes V8 store the rendered prompt two bytes per
  // character, and with it every string the prompt is copied into: the model request's body, the call
  // log's JSON and the reply. A business's own text can still do that; the defaults do not.
  it('are Latin-1 text, so that a default turn in a Latin-1 language keeps one-byte strings', () => {
    const texts = [
      ...Object.values(DEFAULT_TEMPLATES).flatMap((template) => [
        template.templateName,
        template.systemPrompt,
        template.content,
      ]),
      DEFAULT_STAGE.stageName,
      DEFAULT_STAGE.stageDescription,
      DEFAULT_FALLBACK_REPLY,
    ];
    expect(texts.flatMap(outsideLatin1)).toEqual([]);
  });
});
