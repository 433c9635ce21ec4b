import { beforeAll, describe, expect, it } from 'vitest';
import { BUDGET_MAX_SLACK_BYTES, CORE_BUDGET_BYTES, measureCore, type SizeEntry } from './size.js';

// The CI size check: an app importing createRoom + selectRoomView ships at most the budget, gzipped.
describe('@peerchart/core bundle size', () => {
  let core: SizeEntry;
  beforeAll(async () => {
    core = await measureCore();
  }, 60_000);

  it(`stays within ${CORE_BUDGET_BYTES} bytes minified + gzipped`, () => {
    expect(core.minifiedBytes).toBeGreaterThan(core.gzipBytes);
    expect(core.gzipBytes).toBeLessThanOrEqual(CORE_BUDGET_BYTES);
  });

  // A ratchet: when core shrinks, the budget follows it down, so the saving cannot be spent unnoticed.
  it('has a budget no looser than its measured size allows', () => {
    const slack = CORE_BUDGET_BYTES - core.gzipBytes;
    expect(
      slack,
      `core is ${core.gzipBytes} B gzipped: lower CORE_BUDGET_BYTES to about ${core.gzipBytes + 512} (tools/bench/size/size.ts)`,
    ).toBeLessThanOrEqual(BUDGET_MAX_SLACK_BYTES);
  });
});
