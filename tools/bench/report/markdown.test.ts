import { describe, expect, it } from 'vitest';
import { replaceSections } from './markdown.js';

describe('replaceSections', () => {
  it('replaces only the marked section and keeps the prose around it', () => {
    const doc = 'intro\n<!-- bench:relay -->\nold\n<!-- /bench:relay -->\nafter';
    expect(replaceSections(doc, { relay: 'new table' })).toBe('intro\n<!-- bench:relay -->\nnew table\n<!-- /bench:relay -->\nafter');
  });

  it('refuses a document without the markers', () => {
    expect(() => replaceSections('no markers', { relay: 'x' })).toThrow(/markers/);
  });
});
