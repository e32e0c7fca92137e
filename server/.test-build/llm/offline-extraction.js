const EMAIL = /[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}/;
const MONTHS = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];
const MONTH = String.raw `(jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\.?`;
const ORDINAL = String.raw `(\d{1,2})(?:st|nd|rd|th)?`;
const ISO_DATE = /\b(\d{4})[-/](\d{1,2})[-/](\d{1,2})\b/g;
const NUMERIC_DATE = /\b(\d{1,2})[/.-](\d{1,2})[/.-](\d{4}|\d{2})\b/g;
const DAY_MONTH_YEAR = new RegExp(String.raw `\b${ORDINAL}\s+(?:of\s+)?${MONTH}\s*,?\s+(\d{4})\b`, 'gi');
const MONTH_DAY_YEAR = new RegExp(String.raw `\b${MONTH}\s+${ORDINAL}\s*,?\s+(\d{4})\b`, 'gi');
// Ordered by confidence: an explicit "order …" context beats a "#" prefix, which beats a bare code shape.
const ORDER_PATTERNS = [
    /\b(?:order|ref|reference|invoice|tracking|booking)(?:\s+(?:number|no\.?|num|id|code|ref(?:erence)?))?(?:\s+is)?\s*[:#]?\s*([A-Za-z0-9-]*\d[A-Za-z0-9-]*)/i,
    /#\s?([A-Za-z0-9]*\d[A-Za-z0-9]*(?:-[A-Za-z0-9]+)*)/,
    /\b((?:[A-Z]{2,5}-?|[A-Za-z]{2,5}-)\d{3,}(?:-[A-Za-z0-9]+)*)\b/,
    /\b((?=[A-Z0-9]*\d[A-Z0-9]*\d)(?=[A-Z0-9]*[A-Z][A-Z0-9]*[A-Z])[A-Z0-9]{5,20})\b/,
];
const PHONE = /(?<![\w+])\+?\(?\d[\d ().-]{5,22}\d(?!\w)/g;
const NAME_WORD = String.raw `\p{Lu}[\p{L}'’-]*\p{Ll}`;
const NAME = new RegExp(String.raw `(?:\b[Mm]y name is|\b[Mm]y name's|\b[Ii] am|\b[Ii]['’]m|\b[Tt]his is|\b[Cc]all me)\s+(${NAME_WORD}(?:\s+${NAME_WORD}){0,2})`, 'gu');
// Capitalised words that follow "I am" / "this is" without being names.
const NOT_NAMES = new Set('Fine Good Great Not Here Looking Interested Sorry Okay Ok Just So Very Back Happy Ready Sure Still Also Going Trying From In At The A An Calling Writing Afraid Unhappy Angry Done Well Available Urgent Ridiculous Unacceptable Terrible'.split(' '));
const NUMBER = /(?<![\w.,:/#+-])(\d{1,3}(?:,\d{3})+|\d+)(\.\d+)?(?![\w:/#-]|[.,]\d)/;
/** Pattern extraction. Relative dates ("today", "tomorrow") are left out: this module has no clock. */
export function extractOffline(message) {
    const result = {};
    let text = message;
    // Each claimed span is blanked out so that later patterns cannot extract the same characters again.
    const claim = (start, length) => {
        text = text.slice(0, start) + ' '.repeat(length) + text.slice(start + length);
    };
    const email = EMAIL.exec(text);
    if (email) {
        result.email = email[0];
        claim(email.index, email[0].length);
    }
    const date = findDate(text);
    if (date) {
        result.date = date.iso;
        claim(date.index, date.length);
    }
    for (const pattern of ORDER_PATTERNS) {
        const match = pattern.exec(text);
        const code = match?.[1];
        if (!match || !code || code.replace(/\D/g, '').length < 3)
            continue;
        result.order_number = code;
        claim(match.index, match[0].length);
        break;
    }
    for (const match of text.matchAll(PHONE)) {
        // "+44 (0) 20…": the bracketed trunk zero is dialled only from inside the country.
        const digits = match[0].replace(/^(\+\d{1,3})\s*\(0\)/, '$1').replace(/\D/g, '');
        // Reject runs like "12  --  34": real numbers separate digit groups with one space, dot or dash.
        if (digits.length < 7 ||
            digits.length > 15 ||
            /^\d{4}-\d\d?-\d\d?$/.test(match[0]) ||
            /[ .-]{2}/.test(match[0].replace(/[()]/g, '')))
            continue;
        result.phone = (/^\s*(?:\+|00)/.test(match[0]) ? '+' : '') + digits.replace(/^00/, '');
        claim(match.index ?? 0, match[0].length);
        break;
    }
    for (const match of text.matchAll(NAME)) {
        const words = (match[1] ?? '').split(/\s+/);
        const firstNonName = words.findIndex((word) => NOT_NAMES.has(word));
        const kept = firstNonName === -1 ? words : words.slice(0, firstNonName);
        if (kept.length === 0)
            continue;
        result.name = kept.join(' ');
        break;
    }
    const number = NUMBER.exec(text);
    if (number?.[1])
        result.number = Number(number[1].replace(/,/g, '') + (number[2] ?? ''));
    return result;
}
function findDate(text) {
    for (const m of text.matchAll(ISO_DATE)) {
        const found = toFoundDate(m, Number(m[1]), Number(m[2]), Number(m[3]));
        if (found)
            return found;
    }
    for (const m of text.matchAll(NUMERIC_DATE)) {
        let [first, second] = [Number(m[1]), Number(m[2])];
        // Day first, as in most of the world; only an impossible month (e.g. 03/25) reads as US month/day.
        if (second > 12 && first <= 12)
            [first, second] = [second, first];
        const year = m[3]?.length === 2 ? 2000 + Number(m[3]) : Number(m[3]);
        const found = toFoundDate(m, year, second, first);
        if (found)
            return found;
    }
    for (const m of text.matchAll(DAY_MONTH_YEAR)) {
        const found = toFoundDate(m, Number(m[3]), monthNumber(m[2]), Number(m[1]));
        if (found)
            return found;
    }
    for (const m of text.matchAll(MONTH_DAY_YEAR)) {
        const found = toFoundDate(m, Number(m[3]), monthNumber(m[1]), Number(m[2]));
        if (found)
            return found;
    }
    return null;
}
function monthNumber(name) {
    return MONTHS.indexOf((name ?? '').slice(0, 3).toLowerCase()) + 1;
}
function toFoundDate(match, year, month, day) {
    const date = new Date(Date.UTC(year, month - 1, day));
    if (month < 1 ||
        month > 12 ||
        date.getUTCFullYear() !== year ||
        date.getUTCMonth() !== month - 1 ||
        date.getUTCDate() !== day) {
        return null;
    }
    return { iso: date.toISOString().slice(0, 10), index: match.index ?? 0, length: match[0].length };
}
//# sourceMappingURL=offline-extraction.js.map