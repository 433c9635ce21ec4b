/**
 * One seed for every fast-check property of core (a vitest setup file, see vitest.config.ts):
 * fixed by default so CI runs are reproducible, printed so a failure can be replayed, and
 * overridable with FC_SEED to explore other sequences or replay one:
 *
 *   FC_SEED=12345 npx vitest run src/machines/peer.properties.test.ts
 *
 * fast-check also prints the seed and the counterexample's path when a property fails.
 */
import console from 'node:console';
import process from 'node:process';
import fc from 'fast-check';

export const DEFAULT_FC_SEED = 20_261_122;

/** The seed from FC_SEED (a 32-bit integer), or the default. */
export function fcSeed(env: Record<string, string | undefined> = process.env): number {
  const raw = env.FC_SEED?.trim();
  if (!raw) return DEFAULT_FC_SEED;
  const seed = Number(raw);
  if (!Number.isInteger(seed) || seed < -(2 ** 31) || seed >= 2 ** 32) throw new Error(`FC_SEED must be a 32-bit integer, got "${raw}"`);
  return seed;
}

export const FC_SEED = fcSeed();
fc.configureGlobal({ seed: FC_SEED });
console.log(`fast-check seed ${FC_SEED}${FC_SEED === DEFAULT_FC_SEED ? ' (default)' : ' (FC_SEED)'}; replay with FC_SEED=${FC_SEED}`);
