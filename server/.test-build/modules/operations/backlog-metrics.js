import { Gauge } from 'prom-client';
import { readBacklog } from './operations.repository.js';
/** A scrape within this long of the previous one reuses its reading (several Prometheus, a busy dashboard). */
const CACHE_MS = 5000;
/**
 * Database-wide gauges read at scrape time: the outbox and the inbound messages waiting, and whether
 * the database answered. Every process reports the same values (aggregate with max, not sum).
 * One statement per scrape at most every CACHE_MS, shared by all the gauges.
 */
export function registerBacklogMetrics(registry, db) {
    let cached;
    let reading;
    const read = async () => {
        if (cached && Date.now() - cached.at < CACHE_MS)
            return cached.backlog;
        reading ??= readBacklog(db)
            .catch(() => null)
            .then((backlog) => {
            cached = { at: Date.now(), backlog };
            reading = undefined;
            return backlog;
        });
        return reading;
    };
    const gauge = (name, help, value) => new Gauge({
        name,
        help,
        registers: [registry],
        aggregator: 'max',
        async collect() {
            const backlog = await read();
            if (backlog)
                this.set(value(backlog));
        },
    });
    gauge('icmp_outbox_pending', 'WhatsApp/Messenger replies waiting in the outbox (installation-wide)', (b) => b.outboxPending);
    gauge('icmp_outbox_oldest_age_seconds', 'Age of the oldest reply waiting in the outbox; 0 when empty (installation-wide)', (b) => b.outboxOldestAgeSeconds);
    gauge('icmp_inbound_pending', 'Customer messages stored and not yet answered (installation-wide)', (b) => b.inboundPending);
    gauge('icmp_inbound_oldest_age_seconds', 'Age of the oldest customer message not yet answered; 0 when none (installation-wide)', (b) => b.inboundOldestAgeSeconds);
    new Gauge({
        name: 'icmp_database_up',
        help: 'Whether the last backlog query (at most every 5 s, at scrape time) succeeded',
        registers: [registry],
        aggregator: 'max',
        async collect() {
            this.set((await read()) ? 1 : 0);
        },
    });
}
//# sourceMappingURL=backlog-metrics.js.map