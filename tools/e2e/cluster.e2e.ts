/**
 * Scale-out in the browser (issue 12): two real `peerchart-signal` processes sharing a real
 * `redis-server`. The Vue page is served by, and signals through, the first instance; the React page
 * the second. Their call needs the cross-instance relay for every offer, answer and candidate.
 * Runs once (E2E_MIXED=1): each call joins a Vue page with a React page.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startCluster, type Cluster } from '../../packages/signaling-server/src/test-support/cluster.js';
import { decodesVideo, joined, launchBrowser, openCall, shellDist, uniqueRoom, type CallPage } from './harness.js';

let cluster: Cluster;
let browser: Awaited<ReturnType<typeof launchBrowser>>;

beforeAll(async () => {
  cluster = await startCluster({
    instances: 2,
    args: ['--static', `/vue/=${shellDist.vue}`, '--static', `/react/=${shellDist.react}`, '--log-level', 'warn'],
  });
  browser = await launchBrowser({ fakeMediaUi: true });
}, 180_000);

afterAll(async () => {
  await browser?.close();
  await cluster?.close();
});

describe('two signaling instances on Redis', () => {
  it('a Vue page on one instance and a React page on the other call each other: frames decoded both ways', async () => {
    const [first, second] = cluster.instances;
    const room = uniqueRoom('cluster');
    const calls: CallPage[] = [];
    try {
      const vue = await openCall(browser, { origin: first!.http }, { shell: 'vue', room, name: 'Vue' });
      calls.push(vue);
      const react = await openCall(browser, { origin: second!.http }, { shell: 'react', room, name: 'React' });
      calls.push(react);
      const vueId = await joined(vue);
      const reactId = await joined(react);
      expect(vueId).not.toBe(reactId);
      await decodesVideo(vue.page, 'remote-video', reactId, "Vue (instance 1) decoding React's camera");
      await decodesVideo(react.page, 'remote-video', vueId, "React (instance 2) decoding Vue's camera");
    } finally {
      await Promise.all(calls.map((call) => call.close()));
    }
  });
});
