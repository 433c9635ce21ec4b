/**
 * The README's examples are examples/*.ts verbatim, and they work: two calls through the hub with werift,
 * and the Node example joining through a real `ws` socket. Also what the README promises about a data message.
 */
import { readFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { WebSocketServer } from 'ws';
import { startCall } from '../examples/basic.js';
import { joinFromNode } from '../examples/node.js';
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

async function until(check: () => boolean): Promise<void> {
  const deadline = Date.now() + 15_000;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

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

/** The hub behind a real WebSocket server on a free port, for clients that open real sockets (`ws`). */
async function serveHub(): Promise<{ url: string; close(): Promise<void> }> {
  const server = new WebSocketServer({ host: '127.0.0.1', port: 0, path: '/ws' });
  await new Promise((resolve) => server.once('listening', resolve));
  server.on('connection', (client) => {
    const socket = hub.createWebSocket('hub');
    const early: string[] = [];
    socket.onopen = () => early.splice(0).forEach((frame) => socket.send(frame));
    socket.onmessage = (event) => client.send(String(event.data));
    socket.onclose = () => client.close();
    client.on('message', (data) => (socket.readyState === 1 ? socket.send(String(data)) : early.push(String(data))));
    client.on('close', () => socket.close());
  });
  const { port } = server.address() as AddressInfo;
  return { url: `ws://127.0.0.1:${port}/ws`, close: () => new Promise((resolve) => server.close(() => resolve())) };
}

const implementations = () => ({
  createWebSocket: hub.createWebSocket,
  createPeerConnection: werift.createPeerConnection,
  getUserMedia: async () => fakeCameraStream(),
});
const connected = (view: RoomView) => view.peers.length === 1 && view.peers[0]?.dataChannelOpen === true;

describe('README', () => {
  it.each(['basic', 'node'])('shows examples/%s.ts verbatim', (name) => {
    const readme = read('../README.md');
    const block = new RegExp(`<!-- example:${name}[^>]*-->\n\`\`\`ts\n([\\s\\S]*?)\`\`\``).exec(readme)?.[1];
    expect(block).toBe(read(`../examples/${name}.ts`));
  });

  it('the example joins a call, sends a data message, mutes and hangs up', async () => {
    const adaViews: RoomView[] = [];
    const bobViews: RoomView[] = [];
    const ada = startCall('Ada', (view) => adaViews.push(view), implementations());
    const bob = startCall('Bob', (view) => bobViews.push(view), implementations());
    const [adaView] = await Promise.all([waitForView(adaViews, connected), waitForView(bobViews, connected)]);
    const bobHeard: unknown[][] = [];
    bob.onMessage((from, data) => bobHeard.push([from, data]));

    ada.send({ text: 'hello from the README' });
    await until(() => bobHeard.length === 1);
    expect(bobHeard).toEqual([[adaView.selfId, { text: 'hello from the README' }]]);

    ada.toggleMic();
    expect(ada.view().local.micMuted).toBe(true);
    await waitForView(bobViews, (view) => view.peers[0]?.remoteAudioMuted === true);

    await ada.hangUp();
    await bob.hangUp();
    expect([ada.view().status, bob.view().status]).toEqual(['left', 'left']);
    expect(werift.open()).toHaveLength(0);
  });

  it('the Node example joins through a real ws socket with werift, no cast, and is in the call', async () => {
    const server = await serveHub();
    const adaViews: RoomView[] = [];
    const ada = startCall('Ada', (view) => adaViews.push(view), implementations());
    const bot = joinFromNode(server.url, 'team-standup');
    const botViews: RoomView[] = [];
    bot.subscribe((view) => botViews.push(view));
    const joined = await waitForView(botViews, connected);
    expect(joined.local.receiveOnly).toBe(true);
    expect(joined.peers[0]).toMatchObject({ name: 'Ada', dataChannelOpen: true });
    const botHeard: unknown[] = [];
    bot.onData(({ data }) => botHeard.push(data));
    ada.send('hello, bot');
    await until(() => botHeard.length === 1);
    expect(botHeard).toEqual(['hello, bot']);
    await ada.hangUp();
    await bot.leave();
    await server.close();
  });

  it('a data message sent before a peer\'s channel opens waits and is delivered in order; one sent to nobody goes nowhere', async () => {
    const adaViews: RoomView[] = [];
    const bobViews: RoomView[] = [];
    let sentBeforeOpen = false;
    const ada = startCall(
      'Ada',
      (view) => {
        adaViews.push(view);
        if (!sentBeforeOpen && view.peers.length === 1 && !view.peers[0]?.dataChannelOpen) {
          sentBeforeOpen = true;
          ada.send('sent before the channel opened');
        }
      },
      implementations(),
    );
    const bob = startCall('Bob', (view) => bobViews.push(view), implementations());
    const adaHeard: unknown[] = [];
    const bobHeard: unknown[] = [];
    ada.onMessage((_, data) => adaHeard.push(data));
    bob.onMessage((_, data) => bobHeard.push(data));
    bob.send('sent before joining'); // nobody in the room yet: to everyone is to nobody

    await waitForView(bobViews, connected);
    bob.send('sent after joining');
    await until(() => bobHeard.length === 1 && adaHeard.length === 1);
    expect(sentBeforeOpen).toBe(true);
    expect(bobHeard).toEqual(['sent before the channel opened']);
    // Bob's early message was never queued: his next one is the first Ada gets (the channel is ordered).
    expect(adaHeard).toEqual(['sent after joining']);
    await ada.hangUp();
    await bob.hangUp();
  });
});
