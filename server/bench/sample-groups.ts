/**
 * What a perf sample of a node process is charged to (bench/on-cpu.ts): the garbage collector when it
 * is on the stack — its helper threads, and its pauses on the main thread too, which would otherwise be
 * charged to whichever function's allocation set them off — by its innermost frame; else the innermost
 * JavaScript frame on its stack, by package (`node_modules/<name>`), by source directory of the built
 * server (`src/<dir>`), the floor's own code or a Node core module; with no JavaScript on the stack, the
 * compilers, the event loop, the kernel or other native work. `frames` are perf script's symbol names,
 * innermost first, as a JIT dump names JavaScript: `JS:*name url:line:col`.
 *
 * `chargeToOwnCode`: to the innermost frame of the server's or the floor's own code when there is one,
 * so a library's or Node's work is charged to the function of ours that asked for it (a `Buffer.from`
 * inside `pg` to the statement that sent the text); work with none of ours on the stack (a socket's data
 * event parsed by `pg`) is charged as without it.
 */
const COLLECTOR = /Heap::|Scavenge|MarkCompact|Sweeper|ConcurrentMarking|GCTracer|MinorGC/;

export function groupOf(frames: readonly string[], chargeToOwnCode = false): { group: string; fn: string } {
  if (chargeToOwnCode) {
    const own = frames.find((frame) => /JS:.*\/(?:server|bench)\/dist\//.test(frame));
    if (own) return groupOf([own]);
  }
  const collecting = frames.find((frame) => COLLECTOR.test(frame));
  if (collecting) return { group: '(garbage collector)', fn: collecting.replace(/^\s*[0-9a-f]+\s+/, '') };
  for (const frame of frames) {
    const js = frame.match(/JS:[*~^]?(.*)$/);
    if (!js) continue;
    const fn = (js[1] as string).trim();
    const pkg = fn.match(/node_modules\/((?:@[^/]+\/)?[^/]+)\//);
    if (pkg) return { group: pkg[1] as string, fn };
    const own = fn.match(/\/server\/dist\/(.*)\/[^/]+\.js/) ?? fn.match(/\/server\/dist\/()[^/]+\.js/);
    if (own) return { group: own[1] ? `src/${own[1]}` : 'src', fn };
    if (fn.includes('/bench/dist/')) return { group: 'floor code', fn };
    const core = fn.match(/node:(?:internal\/)?([\w]+)/);
    if (core) return { group: `node:${core[1]}`, fn };
    return { group: 'other JavaScript', fn };
  }
  const stack = frames.join('\n');
  const leaf = frames[0] ?? '';
  const group = /compiler::|Compil|Maglev|Turbofan/.test(stack)
    ? '(compilers)'
    : /\buv_|uv__/.test(stack)
      ? '(event loop)'
      : /^\s*ffffffff/.test(leaf)
        ? '(kernel)'
        : '(native, other)';
  return { group, fn: group };
}
