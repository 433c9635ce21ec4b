/**
 * Memory of a Node process started with `--inspect=127.0.0.1:<port>`, read after a full garbage
 * collection through the inspector protocol (the process itself needs no hook for it): what an
 * idle-memory benchmark should compare, since an RSS sample without a GC also counts garbage that
 * happens not to be collected yet.
 */
import WebSocket from 'ws';

export interface MemorySample {
  rss: number;
  heapUsed: number;
  /** Memory held outside the JS heap (Buffers, ws/TCP state reported to V8). */
  external: number;
  /**
   * Bytes V8 has reserved for its heap spaces (`v8.getHeapSpaceStatistics()` space sizes), in total
   * and for the young generation: RSS counts them whether or not live objects fill them, and the
   * young generation grows with the allocation rate, not with what stays allocated.
   */
  heapSpaces: number;
  newSpace: number;
}

/** Two full GCs (the second collects what finalizers of the first released), then `process.memoryUsage()`. */
export async function memoryAfterGc(inspectPort: number): Promise<MemorySample> {
  const targets = (await (await fetch(`http://127.0.0.1:${inspectPort}/json/list`)).json()) as Array<{ webSocketDebuggerUrl: string }>;
  const url = targets[0]?.webSocketDebuggerUrl;
  if (url === undefined) throw new Error(`no inspector target on port ${inspectPort}`);
  const ws = new WebSocket(url, { perMessageDeflate: false });
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('error', reject);
  });
  let id = 0;
  const call = (method: string, params: Record<string, unknown> = {}) =>
    new Promise<Record<string, unknown>>((resolve, reject) => {
      const mine = ++id;
      const onMessage = (data: WebSocket.RawData) => {
        const reply = JSON.parse(data.toString()) as { id?: number; result?: Record<string, unknown>; error?: { message: string } };
        if (reply.id !== mine) return;
        ws.off('message', onMessage);
        if (reply.error) reject(new Error(`${method}: ${reply.error.message}`));
        else resolve(reply.result ?? {});
      };
      ws.on('message', onMessage);
      ws.send(JSON.stringify({ id: mine, method, params }));
    });
  try {
    await call('HeapProfiler.collectGarbage');
    await call('HeapProfiler.collectGarbage');
    const expression = `JSON.stringify({ ...process.memoryUsage(), spaces: process.getBuiltinModule('v8').getHeapSpaceStatistics().map((s) => [s.space_name, s.space_size]) })`;
    const { result } = (await call('Runtime.evaluate', { expression, returnByValue: true })) as { result: { value: string } };
    const usage = JSON.parse(result.value) as { rss: number; heapUsed: number; external: number; spaces: Array<[string, number]> };
    const sizeOf = (name: string) => usage.spaces.find(([space]) => space === name)?.[1] ?? 0;
    const heapSpaces = usage.spaces.reduce((sum, [, size]) => sum + size, 0);
    return { rss: usage.rss, heapUsed: usage.heapUsed, external: usage.external, heapSpaces, newSpace: sizeOf('new_space') };
  } finally {
    ws.close();
  }
}
