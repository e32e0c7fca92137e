// Small on purpose: words like "order", "help" or "book" carry the meaning of a stage and must stay.
const STOP_WORDS = new Set(('a an the and or but if then so of to in on at by for with from about into over as is are was were be been being ' +
    'am do does did have has had i me my mine we us our you your yours he him his she her it its they them their ' +
    'this that these those there here what which who whom when where why how can could would should will shall may ' +
    'might must just not no yes please ok okay very really also too some any all up out ' +
    'get got want need would like im ive id dont cant wont s t').split(' '));
const NAME_WEIGHT = 3;
const DESCRIPTION_WEIGHT = 1;
/** Another stage must beat the current one by this much cosine similarity before the conversation moves. */
export const SWITCH_MARGIN = 0.1;
/** Below this, a message carries no usable signal about any stage. */
export const MIN_SCORE = 0.05;
export function tokenize(text) {
    const tokens = [];
    for (const match of text
        .toLowerCase()
        .replace(/['’]/g, '')
        .matchAll(/[\p{L}\p{N}]+/gu)) {
        const word = match[0];
        if (STOP_WORDS.has(word))
            continue;
        const stemmed = stem(word);
        if (!STOP_WORDS.has(stemmed))
            tokens.push(stemmed);
    }
    return tokens;
}
export function stem(word) {
    if (word.length <= 3 || /\d/.test(word))
        return word;
    if (word.endsWith('ies') && word.length > 4)
        return `${word.slice(0, -3)}y`;
    if (/(?:ss|x|ch|sh)es$/.test(word))
        return word.slice(0, -2);
    for (const suffix of ['ing', 'ed']) {
        if (word.endsWith(suffix) && word.length - suffix.length >= 3)
            return undouble(word.slice(0, -suffix.length));
    }
    if (word.endsWith('s') && !/(?:ss|us|is)$/.test(word))
        return word.slice(0, -1);
    return word;
}
/** "shipping" → "shipp" → "ship", so it meets "ship"; "call"/"miss" keep their doubled letter. */
function undouble(word) {
    const last = word.at(-1) ?? '';
    return word.length >= 3 && last === word.at(-2) && !'lsz'.includes(last) && /[b-df-hj-np-tv-z]/.test(last)
        ? word.slice(0, -1)
        : word;
}
function countWeighted(target, tokens, weight) {
    for (const token of tokens)
        target.set(token, (target.get(token) ?? 0) + weight);
}
export function routeStageOffline(message, stages, currentStageId) {
    const scores = {};
    if (stages.length === 0)
        return { stageId: currentStageId, scores };
    const documents = stages.map((stage) => {
        const counts = new Map();
        countWeighted(counts, tokenize(stage.stage_name), NAME_WEIGHT);
        countWeighted(counts, tokenize(stage.stage_description), DESCRIPTION_WEIGHT);
        return counts;
    });
    const documentFrequency = new Map();
    for (const counts of documents) {
        for (const token of counts.keys())
            documentFrequency.set(token, (documentFrequency.get(token) ?? 0) + 1);
    }
    // Words found in every stage still count a little (ln 2), words unique to one stage count most.
    const idf = (token) => Math.log(1 + stages.length / (documentFrequency.get(token) ?? 1));
    const query = new Map();
    countWeighted(query, tokenize(message), 1);
    let queryNorm = 0;
    for (const [token, count] of query)
        queryNorm += (count * idf(token)) ** 2;
    queryNorm = Math.sqrt(queryNorm);
    const raw = documents.map((counts) => {
        let dot = 0;
        let norm = 0;
        for (const [token, weight] of counts) {
            const value = weight * idf(token);
            norm += value * value;
            const inQuery = query.get(token);
            if (inQuery !== undefined)
                dot += value * inQuery * idf(token);
        }
        return dot === 0 ? 0 : dot / (Math.sqrt(norm) * queryNorm);
    });
    stages.forEach((stage, index) => {
        scores[stage.stage_id] = Math.round((raw[index] ?? 0) * 10_000) / 10_000;
    });
    let best = 0;
    raw.forEach((score, index) => {
        if (score > (raw[best] ?? 0))
            best = index;
    });
    const bestScore = raw[best] ?? 0;
    const bestId = stages[best]?.stage_id ?? null;
    const currentIndex = stages.findIndex((stage) => stage.stage_id === currentStageId);
    // An unknown current id (null, or a stage deleted meanwhile) is never echoed back.
    if (currentIndex === -1)
        return { stageId: bestScore >= MIN_SCORE ? bestId : null, scores };
    const currentScore = raw[currentIndex] ?? 0;
    const clearlyBetter = bestScore >= MIN_SCORE && bestScore - currentScore >= SWITCH_MARGIN;
    return { stageId: clearlyBetter ? bestId : currentStageId, scores };
}
//# sourceMappingURL=offline-routing.js.map