/** The README's embedding example is examples/basic.ts verbatim, and it works: two calls through the hub with werift. */
import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { startCall } from '../examples/basic.js';
import { SignalingHub } from './test-support/signaling-hub.js';
import { fakeCameraStream, weriftFactory } from './test-support/werift.js';
import type { RoomView } from './view.js';

const read = (path: string) => readFileSync(new URL(path, import.meta.url), 'utf8');

const hub = new SignalingHub();
const werift = weriftFactory();
afterEach(async () => {
  hub.close();
  await werift.closeAll();
});

function waitForView(views: RoomView[], predicate: (view: RoomView) => boolean): Promise<RoomView> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no matching view; last: ${views.at(-1)?.stateValue}`)), 15_000);
    const poll = () => {
      const match = views.find(predicate);
      if (match) {
        clearTimeout(timer);
        resolve(match);
      } else setTimeout(poll, 10);
    };
    poll();
  });
}

describe('README', () => {
  it('shows examples/basic.ts verbatim', () => {
    const readme = read('../README.md');
    const block = /<!-- example:basic[^>]*-->\n```ts\n([\s\S]*?)```/.exec(readme)?.[1];
    expect(block).toBe(read('../examples/basic.ts'));
  });

  it('the example joins a call, chats, mutes and hangs up', async () => {
    const implementations = {
      createWebSocket: hub.createWebSocket,
      createPeerConnection: werift.createPeerConnection,
      getUserMedia: async () => fakeCameraStream(),
    };
    const adaViews: RoomView[] = [];
    const bobViews: RoomView[] = [];
    const ada = startCall('Ada', (view) => adaViews.push(view), implementations);
    const bob = startCall('Bob', (view) => bobViews.push(view), implementations);
    const connected = (view: RoomView) => view.peers.length === 1 && view.peers[0]?.dataChannelOpen === true;
    await waitForView(adaViews, connected);
    await waitForView(bobViews, connected);

    ada.say('hello from the README');
    const heard = await waitForView(bobViews, (view) => view.chat.length === 1);
    expect(heard.chat[0]).toMatchObject({ fromName: 'Ada', text: 'hello from the README' });

    ada.toggleMic();
    expect(ada.view().local.micMuted).toBe(true);
    await waitForView(bobViews, (view) => view.peers[0]?.remoteAudioMuted === true);

    await ada.hangUp();
    await bob.hangUp();
    expect([ada.view().status, bob.view().status]).toEqual(['left', 'left']);
    expect(werift.open()).toHaveLength(0);
  });
});
