/**
 * Loaded into a bench server with `--import` (`npm run bench -- --alloc-profile`): V8's sampling heap
 * profiler over the whole run, counting the objects the garbage collector took back too — what the
 * process allocates, which is what its GC time pays for, not what it keeps. On SIGTERM (the bench's
 * stop) it writes `Alloc.<pid>.heapprofile` to bench/results/: Chrome DevTools opens it, and
 * `profile-top.ts` lists its bytes by function and by package.
 *
 * With ALLOC_PROFILE=survivors (`--alloc-profile=survivors`) it leaves out what scavenges took back:
 * what outlived the young generation, by allocation site — the old generation's intake, which its
 * mark-compacts pay for (the process's start included).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { type HeapProfiler, Session } from 'node:inspector';
import path from 'node:path';

const session = new Session();
session.connect();
session.post('HeapProfiler.enable');
session.post('HeapProfiler.startSampling', {
  samplingInterval: 32_768,
  includeObjectsCollectedByMinorGC: process.env.ALLOC_PROFILE !== 'survivors',
  includeObjectsCollectedByMajorGC: true,
} as HeapProfiler.StartSamplingParameterType);

process.once('SIGTERM', () => {
  // A session of this thread answers synchronously: the file is written before the server's own
  // SIGTERM handler lets the process exit.
  session.post('HeapProfiler.stopSampling', (error, result) => {
    if (error) return;
    const dir = path.resolve('bench/results');
    mkdirSync(dir, { recursive: true });
    writeFileSync(path.join(dir, `Alloc.${process.pid}.heapprofile`), JSON.stringify(result.profile));
  });
});
