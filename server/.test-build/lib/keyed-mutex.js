/** Runs tasks with the same key one after another, in call order; different keys run concurrently. */
export class KeyedMutex {
    tails = new Map();
    run(key, task) {
        const previous = this.tails.get(key) ?? Promise.resolve();
        const result = previous.then(task, task);
        const tail = result.then(() => undefined, () => undefined);
        this.tails.set(key, tail);
        void tail.then(() => {
            if (this.tails.get(key) === tail)
                this.tails.delete(key);
        });
        return result;
    }
    isBusy(key) {
        return this.tails.has(key);
    }
}
//# sourceMappingURL=keyed-mutex.js.map