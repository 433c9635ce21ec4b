/** The README's error table, `VIEW_ERROR_CODES` and the codes the machines produce are the same list. */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { DATA_ERROR_CODES, VIEW_ERROR_CODES } from './errors.js';
import { MEDIA_ERRORS } from './machines/media.machine.js';

const SRC = fileURLToPath(new URL('.', import.meta.url));
const read = (path: string) => readFileSync(join(SRC, path), 'utf8');
const sorted = (codes: Iterable<string>) => [...new Set(codes)].sort();

/** Every `code: '…'` literal that builds a view error in the machines (and their folders) and selectors, plus the join refusals and the media errors (`media/<key of MEDIA_ERRORS>`). */
function codesInSource(): string[] {
  const files = ['machines', 'selectors', 'actors'].flatMap((dir) =>
    readdirSync(join(SRC, dir), { recursive: true, encoding: 'utf8' })
      .filter((name) => name.endsWith('.ts') && !name.endsWith('.test.ts'))
      .map((name) => read(join(dir, name))),
  );
  // Data errors are also picked (params, ternaries): every 'data/…' literal.
  const literals = files.flatMap((text) => [...text.matchAll(/code: '([a-z]+\/[a-z-]+)'|'(data\/[a-z-]+)'/g)].map((match) => (match[1] ?? match[2])!));
  // Join refusals are `join/${server code}`, with a message for each code in JOIN_REFUSALS.
  const refusals = /const JOIN_REFUSALS[^=]*= \{([\s\S]*?)\n\};/.exec(read('machines/room/membership.ts'))?.[1] ?? '';
  const joins = [...refusals.matchAll(/^\s*'?([a-z-]+)'?:/gm)].map((match) => `join/${match[1]}`);
  return [...literals, ...joins, ...Object.keys(MEDIA_ERRORS).map((kind) => `media/${kind}`)];
}

describe('view error codes', () => {
  it('the machines produce exactly VIEW_ERROR_CODES, and the data API DATA_ERROR_CODES', () => {
    expect(sorted(codesInSource())).toEqual(sorted([...VIEW_ERROR_CODES, ...DATA_ERROR_CODES]));
  });

  it("README.md's data error table lists exactly DATA_ERROR_CODES", () => {
    const readme = readFileSync(join(SRC, '..', 'README.md'), 'utf8');
    const table = /\| data error code \| when \|\n\|---\|---\|\n((?:\|.*\n)+)/.exec(readme)?.[1] ?? '';
    const listed = table.split('\n').flatMap((row) => [...(row.split('|')[1] ?? '').matchAll(/`([^`]+)`/g)].map((match) => match[1]!));
    expect(listed).toEqual([...DATA_ERROR_CODES]);
  });

  it("README.md's error table lists exactly VIEW_ERROR_CODES", () => {
    const readme = readFileSync(join(SRC, '..', 'README.md'), 'utf8');
    const table = /\| error code \| when \| actions \|\n\|---\|---\|---\|\n((?:\|.*\n)+)/.exec(readme)?.[1] ?? '';
    const listed = table.split('\n').flatMap((row) => [...(row.split('|')[1] ?? '').matchAll(/`([^`]+)`/g)].map((match) => match[1]!));
    expect(listed).toEqual([...VIEW_ERROR_CODES]);
  });
});
