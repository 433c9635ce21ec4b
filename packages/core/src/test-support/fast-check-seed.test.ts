import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DEFAULT_FC_SEED, FC_SEED, fcSeed } from './fast-check-seed.js';

describe('the fast-check seed', () => {
  it('is fixed by default and taken from FC_SEED otherwise', () => {
    expect(fcSeed({})).toBe(DEFAULT_FC_SEED);
    expect(fcSeed({ FC_SEED: ' 42 ' })).toBe(42);
    expect(fcSeed({ FC_SEED: '-7' })).toBe(-7);
  });

  it('refuses a seed that is not a 32-bit integer', () => {
    expect(() => fcSeed({ FC_SEED: 'abc' })).toThrow(/FC_SEED must be a 32-bit integer/);
    expect(() => fcSeed({ FC_SEED: '1.5' })).toThrow(/FC_SEED/);
    expect(() => fcSeed({ FC_SEED: String(2 ** 32) })).toThrow(/FC_SEED/);
  });

  it('is what every property of this run uses', () => {
    expect(fc.readConfigureGlobal().seed).toBe(FC_SEED);
  });
});
