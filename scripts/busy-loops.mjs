// Runs a command while busy loops pin the CPU, to prove the tests do not depend on machine speed
// (issue 12, finding 7):
//   node scripts/busy-loops.mjs [--loops=2] -- npm run test --workspace server
// Without a command, spins until interrupted. The loops are worker threads of this process: they
// stop with it, and the command's exit code is this script's.
import { spawn } from 'node:child_process';
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';

const args = process.argv.slice(2);
const separator = args.indexOf('--');
const own = separator === -1 ? args : args.slice(0, separator);
const command = separator === -1 ? [] : args.slice(separator + 1);
const loopsArg = own.find((a) => a.startsWith('--loops='));
const loops = loopsArg ? Number(loopsArg.split('=')[1]) : availableParallelism();

const spin = 'for (;;) { Math.sqrt(Math.random()); }';
const workers = Array.from({ length: loops }, () => new Worker(spin, { eval: true }));
console.log(`busy-loops: ${loops} loop(s) spinning`);

const stop = async (code) => {
  await Promise.all(workers.map((worker) => worker.terminate()));
  process.exit(code);
};
if (command.length === 0) {
  process.on('SIGINT', () => void stop(0));
  process.on('SIGTERM', () => void stop(0));
} else {
  const child = spawn(command[0], command.slice(1), { stdio: 'inherit' });
  child.on('exit', (code, signal) => {
    console.log(`busy-loops: command ended (${signal ?? code}) with ${loops} loop(s) spinning`);
    void stop(code ?? 1);
  });
  for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => child.kill(signal));
}
