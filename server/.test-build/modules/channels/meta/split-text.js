/** Most characters one message may carry on each channel (Meta's limits). */
export const MAX_TEXT = { whatsapp: 4096, messenger: 2000 };
/**
 * Splits a text into parts of at most `limit` characters, preferring a paragraph, then a sentence, then
 * a word boundary in the last part of the window; only a word longer than the limit is cut. The split
 * is deterministic, so a retried delivery sends the same parts (part N is always the same text).
 */
export function splitText(text, limit) {
    const parts = [];
    let rest = text.trim();
    while (rest.length > limit) {
        const window = rest.slice(0, limit + 1);
        const cut = bestCut(window, limit);
        parts.push(rest.slice(0, cut).trimEnd());
        rest = rest.slice(cut).trimStart();
    }
    if (rest)
        parts.push(rest);
    return parts.length ? parts : [''];
}
function bestCut(window, limit) {
    const floor = Math.floor(limit / 2);
    const paragraph = window.lastIndexOf('\n\n', limit);
    if (paragraph >= floor)
        return paragraph;
    let sentence = -1;
    for (const match of window.slice(0, limit).matchAll(/[.!?…。](?:["')\]]*)(?=\s)/g)) {
        sentence = (match.index ?? 0) + match[0].length;
    }
    if (sentence >= floor)
        return sentence;
    const space = window.lastIndexOf(' ', limit);
    const newline = window.lastIndexOf('\n', limit);
    const word = Math.max(space, newline);
    if (word > 0)
        return word;
    // One word longer than the limit: cut it, but never between the halves of a surrogate pair.
    const code = window.charCodeAt(limit - 1);
    return code >= 0xd800 && code <= 0xdbff ? limit - 1 : limit;
}
//# sourceMappingURL=split-text.js.map