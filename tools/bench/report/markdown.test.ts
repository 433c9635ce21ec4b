import { describe, expect, it } from 'vitest';
import { replaceSections, targetsTable } from './markdown.js';

describe('replaceSections', () => {
  it('replaces only the marked section and keeps the prose around it', () => {
    const doc = 'intro\n<!-- bench:relay -->\nold\n<!-- /bench:relay -->\nafter';
    expect(replaceSections(doc, { relay: 'new table' })).toBe('intro\n<!-- bench:relay -->\nnew table\n<!-- /bench:relay -->\nafter');
  });

  it('refuses a document without the markers', () => {
    expect(() => replaceSections('no markers', { relay: 'x' })).toThrow(/markers/);
  });
});

describe('targetsTable', () => {
  it('marks each target met or not from the results, and says so when a part was not measured', () => {
    const size = {
      benchmark: 'size' as const,
      budgetBytes: 29 * 1024,
      entries: [{ id: 'peerchart', label: 'core', imports: '', minifiedBytes: 90_000, gzipBytes: 30_000 }],
    };
    const table = targetsTable(undefined, undefined, size);
    expect(table).toMatch(/core min \+ gzip: ≤ 29\.0 KB \| 29\.3 KB \| \*\*no\*\* \|/);
    expect(table).toMatch(/P=50 W=1: ≥ 0\.90× bare \| not measured \| – \|/);
    const small = targetsTable(undefined, undefined, { ...size, entries: [{ ...size.entries[0]!, gzipBytes: 15_000 }] });
    expect(small).toMatch(/14\.6 KB \| yes \|/);
  });
});
