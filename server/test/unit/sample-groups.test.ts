import { describe, expect, it } from 'vitest';
import { groupOf } from '../../bench/sample-groups.js';

// perf script's frames (address, symbol), innermost first, as a node process with a JIT dump names them.
const JSON_BUILTIN = '14d08c1 Builtins_JsonStringify';
const PERSIST = '16f JS:*persistTurn file:///w/server/dist/modules/pipeline/turn.repository.js:246:34';
const UNDICI = '1d7 JS:*_resume /w/node_modules/undici/lib/dispatcher/client.js:548:18';
const SCOPED = '4ee JS:^applyRateLimit /w/node_modules/@fastify/rate-limit/index.js:245:31';
const STREAMS = 'b6 JS:*clearBuffer node:internal/streams/writable:744:21';
const FLOOR = '15c JS:*complete file:///w/server/bench/dist/bench/floor-server.js:149:24';
const APP = '103 JS:*buildApp file:///w/server/dist/app.js:10:1';

describe('what an on-CPU sample is charged to', () => {
  it('the innermost JavaScript frame: native work is charged to the function that asked for it', () => {
    expect(groupOf([JSON_BUILTIN, PERSIST, UNDICI])).toEqual({
      group: 'src/modules/pipeline',
      fn: 'persistTurn file:///w/server/dist/modules/pipeline/turn.repository.js:246:34',
    });
    expect(groupOf(['do_writev', 'sock_write_iter', STREAMS, PERSIST]).group).toBe('node:streams');
  });

  it('packages by name (scoped ones too), the server by directory, the floor apart', () => {
    expect(groupOf([UNDICI]).group).toBe('undici');
    expect(groupOf([SCOPED]).group).toBe('@fastify/rate-limit');
    expect(groupOf([APP]).group).toBe('src');
    expect(groupOf([FLOOR]).group).toBe('floor code');
  });

  it('the collector wherever it runs: a pause is not charged to the function whose allocation set it off', () => {
    expect(groupOf(['v8::internal::Scavenger::Process', 'v8::internal::Heap::Scavenge'])).toEqual({
      group: '(garbage collector)',
      fn: 'v8::internal::Scavenger::Process',
    });
    expect(
      groupOf([
        '7f1 v8::internal::Scavenger::ScavengePage',
        '7f2 v8::internal::Heap::Scavenge',
        PERSIST,
        UNDICI,
      ]),
    ).toEqual({ group: '(garbage collector)', fn: 'v8::internal::Scavenger::ScavengePage' });
    // Charged to our own code, the collection its allocation caused is that code's.
    expect(groupOf(['7f2 v8::internal::Heap::Scavenge', PERSIST], true).group).toBe('src/modules/pipeline');
    // With none of ours on the stack, as without --own.
    expect(groupOf(['7f2 v8::internal::Heap::Scavenge', UNDICI], true).group).toBe('(garbage collector)');
  });

  it('with no JavaScript on the stack: the compilers, the event loop or the kernel', () => {
    expect(groupOf(['v8::internal::compiler::GraphReducer::ReduceNode']).group).toBe('(compilers)');
    expect(groupOf(['epoll_wait', 'uv__io_poll', 'uv_run']).group).toBe('(event loop)');
    expect(groupOf(['ffffffff82239937 clear_page_erms']).group).toBe('(kernel)');
    expect(groupOf(['__memmove_avx_unaligned_erms']).group).toBe('(native, other)');
  });

  it('charged to our own code: the innermost frame of the server or the floor, else as before', () => {
    const BUFFER = '1d7 JS:*createFromString node:buffer:471:26';
    expect(groupOf([BUFFER, UNDICI, PERSIST], true)).toEqual({
      group: 'src/modules/pipeline',
      fn: 'persistTurn file:///w/server/dist/modules/pipeline/turn.repository.js:246:34',
    });
    expect(groupOf([JSON_BUILTIN, SCOPED, FLOOR], true).group).toBe('floor code');
    expect(groupOf([BUFFER, UNDICI], true).group).toBe('node:buffer');
    expect(groupOf([BUFFER, 'Builtins_CallFunction', UNDICI, PERSIST], true).group).toBe(
      'src/modules/pipeline',
    );
  });
});
