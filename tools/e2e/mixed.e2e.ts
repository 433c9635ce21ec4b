/** The two shells are interchangeable: a Vue page and a React page share one call. */
import { expect, it } from 'vitest';
import { decodesVideo, joined, openCall, rtpTotals, uniqueRoom, until, useServerAndBrowser } from './harness.js';

const shared = useServerAndBrowser();

it('a Vue page calls a React page (both inspectable) and both decode video and receive audio', async () => {
  const room = uniqueRoom('mixed');
  const vue = await openCall(shared.browser, shared.server, { shell: 'vue', room, name: 'Vue', inspect: true });
  const react = await openCall(shared.browser, shared.server, { shell: 'react', room, name: 'React', inspect: true });
  try {
    const vueId = await joined(vue);
    const reactId = await joined(react);
    await decodesVideo(vue.page, 'remote-video', reactId, 'the Vue page decoding the React page');
    await decodesVideo(react.page, 'remote-video', vueId, 'the React page decoding the Vue page');
    for (const call of [vue, react]) {
      const totals = await until(`${call.name} receiving audio`, async () => {
        const t = await rtpTotals(call.page);
        return t.inboundAudioBytes > 0 && t;
      });
      expect(totals.inboundVideoStreams).toBe(1);
      // `?inspect` loaded the inspector chunk; its window opens on a click (no pop-up without one).
      expect(await call.page.getByRole('button', { name: 'Open inspector', exact: true }).count()).toBe(1);
    }
  } finally {
    await vue.close();
    await react.close();
  }
});
