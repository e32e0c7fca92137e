import { Gauge } from 'prom-client';
/**
 * Takes the response over as `text/event-stream`, keeping the headers hooks already set on the reply
 * (CORS, request id, rate-limit, security headers), which a hijacked reply would otherwise drop.
 * `retryMs` tells an EventSource how long to wait before it reconnects.
 */
export function startEventStream(reply, options = {}) {
    const headers = {};
    for (const [name, value] of Object.entries(reply.getHeaders())) {
        if (value !== undefined)
            headers[name] = value;
    }
    reply.hijack();
    const raw = reply.raw;
    raw.writeHead(200, {
        ...headers,
        'content-type': 'text/event-stream; charset=utf-8',
        'cache-control': 'no-cache, no-transform',
        'x-accel-buffering': 'no',
    });
    const write = (text) => {
        if (!raw.writableEnded && !raw.destroyed)
            raw.write(text);
    };
    if (options.retryMs !== undefined)
        write(`retry: ${options.retryMs}\n\n`);
    return {
        raw,
        send(event, data, id) {
            write(`${id ? `id: ${id}\n` : ''}event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
        },
        comment(text) {
            write(`: ${text}\n\n`);
        },
        end() {
            if (!raw.writableEnded)
                raw.end();
        },
        /**
         * Ends a stream that never finishes on its own (the client went away, or the server is closing):
         * the socket is destroyed, not left half-open — otherwise server.close() waits for Node's header
         * timeout (about a minute) before it lets go of the connection.
         */
        destroy() {
            if (!raw.destroyed)
                raw.destroy();
        },
    };
}
/**
 * The open live streams of one route (streams that last until the client leaves): each gets a
 * heartbeat, and every timer and listener it holds is released exactly once — when the client
 * disconnects, when the handler finishes it, or when the server closes (`preClose`, so
 * `app.close()` does not wait for clients that never hang up).
 */
export function createLiveStreams(app, options) {
    const open = new Set();
    new Gauge({
        name: options.metric.name,
        help: options.metric.help,
        registers: [options.metric.registry],
        collect() {
            this.set(open.size);
        },
    });
    app.addHook('preClose', async () => {
        for (const close of [...open])
            close();
    });
    return {
        get size() {
            return open.size;
        },
        /**
         * Starts the stream. `onHeartbeat` runs with each heartbeat; `onClose` once, however it ended.
         */
        open(request, reply, hooks = {}) {
            const stream = startEventStream(reply, hooks.retryMs === undefined ? {} : { retryMs: hooks.retryMs });
            let released = false;
            const release = () => {
                if (released)
                    return false;
                released = true;
                clearInterval(heartbeat);
                open.delete(close);
                request.raw.off('close', close);
                stream.raw.off('close', close);
                hooks.onClose?.();
                return true;
            };
            const close = () => {
                if (release())
                    stream.destroy();
            };
            const heartbeat = setInterval(() => {
                stream.comment('ping');
                hooks.onHeartbeat?.();
            }, options.heartbeatMs);
            open.add(close);
            request.raw.on('close', close);
            stream.raw.on('close', close);
            // The client may have left while the handler was still awaiting (auth, lookups).
            if (request.socket.destroyed)
                queueMicrotask(close);
            return {
                ...stream,
                finish() {
                    if (release())
                        stream.end();
                },
            };
        },
    };
}
//# sourceMappingURL=event-stream.js.map