export type DiffLine = { kind: 'same' | 'add' | 'del'; text: string };

/**
 * Line diff by longest common subsequence. Templates are a few hundred lines at most, so the
 * O(n·m) table is fine; beyond 4 million cells we fall back to "all removed, all added".
 */
export function diffLines(before: string, after: string): DiffLine[] {
  const a = before.split('\n');
  const b = after.split('\n');
  if (a.length * b.length > 4_000_000) {
    return [
      ...a.map((text) => ({ kind: 'del' as const, text })),
      ...b.map((text) => ({ kind: 'add' as const, text })),
    ];
  }
  const n = a.length;
  const m = b.length;
  const w = m + 1;
  // lcs[i * w + j] = length of the LCS of a[i..] and b[j..]
  const lcs = new Uint32Array((n + 1) * w);
  const at = (i: number, j: number) => lcs[i * w + j] ?? 0;
  for (let i = n - 1; i >= 0; i--) {
    for (let j = m - 1; j >= 0; j--) {
      lcs[i * w + j] = a[i] === b[j] ? at(i + 1, j + 1) + 1 : Math.max(at(i + 1, j), at(i, j + 1));
    }
  }
  const out: DiffLine[] = [];
  let i = 0;
  let j = 0;
  while (i < n && j < m) {
    const x = a[i] ?? '';
    const y = b[j] ?? '';
    if (x === y) {
      out.push({ kind: 'same', text: x });
      i++;
      j++;
    } else if (at(i + 1, j) >= at(i, j + 1)) {
      out.push({ kind: 'del', text: x });
      i++;
    } else {
      out.push({ kind: 'add', text: y });
      j++;
    }
  }
  for (; i < n; i++) out.push({ kind: 'del', text: a[i] ?? '' });
  for (; j < m; j++) out.push({ kind: 'add', text: b[j] ?? '' });
  return out;
}
