import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  printTargets,
  printVariant,
  readTargets,
  readVariant,
  type TargetRow,
  unequalCalls,
} from '../../bench/targets.js';

/** One run's rows: the 0 ms row (c1, c32) and, when given, the 300 ms row (c256). */
function run(c1: number, c32: number, cpu: number, c256?: number, processes = 1): TargetRow[] {
  const rows: TargetRow[] = [
    {
      processes,
      product_vs_floor: {
        c1: { p50_ms: c1 },
        c32: { throughput_per_s: c32, server_cpu_ms_per_message: cpu },
      },
    },
  ];
  if (c256 !== undefined) rows.push({ processes, product_vs_floor: { c256: { throughput_per_s: c256 } } });
  return rows;
}

describe("the bench's issue-14 targets", () => {
  afterEach(() => vi.restoreAllMocks());

  it("reads each target's runs in order and judges their median", () => {
    const readings = readTargets(
      [run(1.4, 0.6, 1.2, 0.95), run(1.1, 0.95, 1.7, 0.8), run(1.2, 0.92, 1.3, 0.91)],
      'product_vs_floor',
    );
    expect(readings).toEqual([
      { measure: 'c=1, LLM 0 ms, p50', target: '≤ 1.15×', runs: [1.4, 1.1, 1.2], median: 1.2, met: false },
      {
        measure: 'c=32, LLM 0 ms, throughput',
        target: '≥ 0.9×',
        runs: [0.6, 0.95, 0.92],
        median: 0.92,
        met: true,
      },
      {
        measure: 'c=32, server CPU per message',
        target: '≤ 1.3×',
        runs: [1.2, 1.7, 1.3],
        median: 1.3,
        met: true,
      },
      {
        measure: 'c=256, LLM 300 ms, throughput',
        target: '≥ 0.9×',
        runs: [0.95, 0.8, 0.91],
        median: 0.91,
        met: true,
      },
    ]);
  });

  it('meets a bound exactly on it, from either side', () => {
    const [p50, throughput] = readTargets([run(1.15, 0.9, 1.31)], 'product_vs_floor');
    expect(p50?.met).toBe(true);
    expect(throughput?.met).toBe(true);
    const cpu = readTargets([run(1.16, 0.89, 1.31)], 'product_vs_floor');
    expect(cpu.map((r) => r.met)).toEqual([false, false, false]);
  });

  it('leaves out what was not measured, and reads only the first process count', () => {
    const rows = [...run(1.1, 0.9, 1.2), ...run(3, 0.1, 3, undefined, 2)];
    const readings = readTargets([rows], 'product_vs_floor');
    expect(readings.map((r) => [r.measure, r.runs])).toEqual([
      ['c=1, LLM 0 ms, p50', [1.1]],
      ['c=32, LLM 0 ms, throughput', [0.9]],
      ['c=32, server CPU per message', [1.2]],
    ]);
    expect(readTargets([rows], 'product_vs_schema_floor')).toEqual([]);
  });

  it('prints the schema floor columns only when the schema floor was measured', () => {
    const lines: string[] = [];
    vi.spyOn(console, 'log').mockImplementation((line: string) => lines.push(line));
    const bare = readTargets([run(1.4, 0.6, 1.6)], 'product_vs_floor');
    printTargets(bare, [], [], 1);
    expect(lines[1]).toBe('| measure | target | product/bare floor | verdict |');
    expect(lines[3]).toBe('| c=1, LLM 0 ms, p50 | ≤ 1.15× | 1.40× (1.40) | unmet |');
    expect(lines).toHaveLength(6);

    lines.length = 0;
    printTargets(bare, bare, bare, 1);
    expect(lines[1]).toContain(
      "product/floor on the product's tables | verdict | that floor/bare floor | verdict |",
    );
    expect(lines[4]).toBe(
      '| c=32, LLM 0 ms, throughput | ≥ 0.9× | 0.60× (0.60) | unmet | 0.60× (0.60) | unmet | 0.60× (0.60) | unmet |',
    );
  });

  it('says where the floor did not make the product’s calls: other LLM calls or prompt tokens per message', () => {
    const rows = (c32Tokens: number, c256Calls: number, other = 1.4): TargetRow[] => [
      {
        processes: 1,
        product_vs_floor: {
          c32: { prompt_tokens_per_message: c32Tokens, llm_calls_per_message: 1 },
          // Not a target scenario: its calls are not judged.
          stage_changes: { llm_calls_per_message: other },
        },
      },
      { processes: 1, product_vs_floor: { c256: { llm_calls_per_message: c256Calls } } },
    ];
    expect(unequalCalls([rows(1.01, 1), rows(0.99, 1)], 'product_vs_floor')).toEqual([]);
    expect(unequalCalls([rows(1.01, 1), rows(1.25, 1.5)], 'product_vs_floor')).toEqual([
      'run 2, c32: prompt_tokens_per_message 1.25×',
      'run 2, c256: llm_calls_per_message 1.50×',
    ]);
    expect(unequalCalls([rows(1.25, 1)], 'product_vs_schema_floor')).toEqual([]);

    const printed: string[] = [];
    vi.spyOn(console, 'log').mockImplementation((line: string) => void printed.push(line));
    printTargets(readTargets([run(1.1, 0.95, 1.2)], 'product_vs_floor'), [], [], 1, ['run 1, c32: x']);
    expect(printed.at(-1)).toMatch(/did not make the product's calls.*run 1, c32: x/);
  });

  it('reads a --variant as variant/product per run, with no verdict, and prints nothing without one', () => {
    const variantRun = (cpu: number, throughput: number): TargetRow[] => [
      {
        ...(run(1.4, 0.6, 1.6)[0] as TargetRow),
        variant_vs_product: { c32: { server_cpu_ms_per_message: cpu, throughput_per_s: throughput } },
      },
    ];
    const readings = readVariant([variantRun(0.9, 1.1), variantRun(1.05, 0.97), variantRun(0.95, 1.02)]);
    expect(readings).toEqual([
      { measure: 'c=32, LLM 0 ms, throughput', runs: [1.1, 0.97, 1.02], median: 1.02 },
      { measure: 'c=32, server CPU per message', runs: [0.9, 1.05, 0.95], median: 0.95 },
    ]);
    expect(readVariant([run(1.4, 0.6, 1.6)])).toEqual([]);

    const printed: string[] = [];
    vi.spyOn(console, 'log').mockImplementation((line: string) => void printed.push(line));
    printVariant([], ['--flag'], 3);
    expect(printed).toEqual([]);
    printVariant(readings, ['--a', '--b=2'], 3);
    expect(printed[0]).toContain('Variant (--a --b=2) against the product, same rounds: median of 3 runs');
    expect(printed.at(-1)).toBe('| c=32, server CPU per message | 0.95× (0.90 / 1.05 / 0.95) |');
  });
});
