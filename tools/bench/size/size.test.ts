import { describe, expect, it } from 'vitest';
import { CORE_BUDGET_BYTES, measureCore } from './size.js';

// The CI size check: an app importing createRoom + selectRoomView ships at most the budget, gzipped.
describe('@peerchart/core bundle size', () => {
  it(`stays within ${CORE_BUDGET_BYTES} bytes minified + gzipped`, async () => {
    const core = await measureCore();
    expect(core.minifiedBytes).toBeGreaterThan(core.gzipBytes);
    expect(core.gzipBytes).toBeLessThanOrEqual(CORE_BUDGET_BYTES);
  }, 60_000);
});
