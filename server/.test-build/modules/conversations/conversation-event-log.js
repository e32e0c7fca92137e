import { randomBytes } from 'node:crypto';
const ID = /^([0-9a-f]{8})-(\d{1,15})$/;
/**
 * The recent conversation events this process heard (its own and, through the bus, every other
 * process's), numbered in the order they arrived, for the inbox stream to replay on reconnect. An
 * event id is `<epoch>-<n>`: the epoch is random per process, so an id from another process (or an
 * earlier run) is recognised as one this log cannot continue. Bounded: a client that was away for
 * more than `capacity` events (of all businesses) is told to resynchronise.
 */
export class ConversationEventLog {
    capacity;
    epoch = randomBytes(4).toString('hex');
    seq = 0;
    /** Events with seq ≤ this may have been missed by a reader: dropped from the buffer, or a bus gap. */
    forgottenUpTo = 0;
    entries = [];
    constructor(capacity = 5_000) {
        this.capacity = capacity;
    }
    get headId() {
        return `${this.epoch}-${this.seq}`;
    }
    append(event) {
        this.seq += 1;
        const entry = { id: `${this.epoch}-${this.seq}`, seq: this.seq, event };
        this.entries.push(entry);
        // Trim in chunks, so appending stays O(1) amortised.
        if (this.entries.length >= this.capacity + Math.ceil(this.capacity / 4)) {
            const dropped = this.entries.splice(0, this.entries.length - this.capacity);
            this.forgottenUpTo = dropped.at(-1).seq;
        }
        return entry;
    }
    /**
     * Events of other processes may have been missed (a bus gap): no id from before now can be
     * continued. The gap takes a number of its own, so the head id after it is one that can.
     */
    forget() {
        this.seq += 1;
        this.forgottenUpTo = this.seq;
        this.entries = [];
    }
    since(lastEventId, businessId) {
        const match = ID.exec(lastEventId.trim());
        if (!match || match[1] !== this.epoch)
            return { kind: 'resync' };
        const after = Number(match[2]);
        if (after > this.seq || after < this.forgottenUpTo)
            return { kind: 'resync' };
        const events = [];
        // Entries are in seq order: skip to the first one after `after`.
        let low = 0;
        let high = this.entries.length;
        while (low < high) {
            const mid = (low + high) >> 1;
            if (this.entries[mid].seq <= after)
                low = mid + 1;
            else
                high = mid;
        }
        for (let i = low; i < this.entries.length; i += 1) {
            const entry = this.entries[i];
            if (entry.event.business_id === businessId)
                events.push(entry);
        }
        return { kind: 'replay', events };
    }
}
//# sourceMappingURL=conversation-event-log.js.map