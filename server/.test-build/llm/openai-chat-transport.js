export class HttpStatusError extends Error {
    statusCode;
    constructor(statusCode, body) {
        super(`the model endpoint answered ${statusCode}: ${body.slice(0, 300)}`);
        this.statusCode = statusCode;
    }
}
/** A 400 that names `response_format`: the server does not support the structure asked for. */
export class FormatRefused extends HttpStatusError {
}
const REFUSAL = /response_format|json_schema|json_object|grammar|structured output/i;
function responseFormat(request, mode) {
    if (request.output.kind === 'text' || mode === 'text')
        return undefined;
    if (request.output.kind === 'choice' && mode === 'json_schema') {
        return {
            type: 'json_schema',
            json_schema: {
                name: 'stage',
                strict: true,
                schema: {
                    type: 'object',
                    properties: { stage: { type: 'string', enum: request.output.options } },
                    required: ['stage'],
                    additionalProperties: false,
                },
            },
        };
    }
    return { type: 'json_object' };
}
/** Without a schema the model is told the shape in words. */
function shapeHint(request, mode) {
    const { output } = request;
    if (output.kind === 'choice') {
        const names = output.options.map((name) => JSON.stringify(name)).join(', ');
        if (mode === 'json_object')
            return `Answer with a JSON object {"stage": <one of ${names}>} and nothing else.`;
        if (mode === 'text')
            return `Answer with only the name of one stage, one of ${names}.`;
    }
    if (output.kind === 'json' && mode === 'text')
        return 'Answer with only a JSON object.';
    return '';
}
export async function attemptOpenAiChat(target, request, signal, mode = 'json_schema') {
    const streaming = Boolean(request.onToken) && request.output.kind === 'text';
    const hint = shapeHint(request, mode);
    const system = [request.system, hint].filter(Boolean).join('\n\n');
    const messages = system
        ? [
            { role: 'system', content: system },
            { role: 'user', content: request.prompt },
        ]
        : [{ role: 'user', content: request.prompt }];
    const format = responseFormat(request, mode);
    const response = await fetch(`${target.baseUrl}/chat/completions`, {
        method: 'POST',
        signal,
        headers: {
            'content-type': 'application/json',
            ...(target.apiKey ? { authorization: `Bearer ${target.apiKey}` } : {}),
        },
        body: JSON.stringify({
            model: target.model,
            messages,
            ...(request.temperature !== undefined ? { temperature: request.temperature } : {}),
            ...(format ? { response_format: format } : {}),
            ...(streaming ? { stream: true, stream_options: { include_usage: true } } : {}),
        }),
    });
    if (!response.ok) {
        const body = await response.text().catch(() => '');
        if (format && response.status === 400 && REFUSAL.test(body))
            throw new FormatRefused(response.status, body);
        throw new HttpStatusError(response.status, body);
    }
    if (!streaming) {
        const completion = (await response.json());
        const content = completion.choices?.[0]?.message?.content;
        if (typeof content !== 'string')
            throw new Error('the model endpoint answered without message content');
        return {
            text: content,
            tokensIn: completion.usage?.prompt_tokens ?? 0,
            tokensOut: completion.usage?.completion_tokens ?? 0,
        };
    }
    return readStream(response, request.onToken);
}
async function readStream(response, onToken) {
    if (!response.body)
        throw new Error('the model endpoint sent no stream');
    const decoder = new TextDecoder();
    let buffer = '';
    let text = '';
    let tokensIn = 0;
    let tokensOut = 0;
    let done = false;
    for await (const chunk of response.body) {
        buffer += decoder.decode(chunk, { stream: true });
        let newline = buffer.indexOf('\n');
        while (newline !== -1) {
            const line = buffer.slice(0, newline).trim();
            buffer = buffer.slice(newline + 1);
            newline = buffer.indexOf('\n');
            if (!line.startsWith('data:'))
                continue;
            const data = line.slice(5).trim();
            if (data === '[DONE]') {
                done = true;
                continue;
            }
            const event = JSON.parse(data);
            const piece = event.choices?.[0]?.delta?.content;
            if (piece) {
                text += piece;
                onToken(piece);
            }
            if (event.usage) {
                tokensIn = event.usage.prompt_tokens ?? tokensIn;
                tokensOut = event.usage.completion_tokens ?? tokensOut;
            }
        }
    }
    if (!done && !text)
        throw new Error('the model stream ended without an answer');
    return { text, tokensIn, tokensOut };
}
//# sourceMappingURL=openai-chat-transport.js.map