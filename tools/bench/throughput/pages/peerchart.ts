/**
 * Subject: two `createRoom` rooms (no camera or microphone: `media: false`) through Peerchart's real
 * server; the sender hands every chunk to `DATA.SEND` at once, as an app using the data API would,
 * and the data API's own backpressure paces them (PEER_DATA_LIMITS: same chunk size and threshold as
 * the raw baseline). The receiver takes each chunk from `onData`.
 */
import { createRoom, type RoomHandle, type RoomView } from '@peerchart/core';
import { expose, take } from './transfer.js';

const errors: string[] = [];
let room: RoomHandle | undefined;
/** The other page's "ready" arrived over the data API: its channel carries data to us. */
let heard: () => void = () => undefined;
const peerReady = new Promise<void>((resolve) => (heard = resolve));

function until(handle: RoomHandle, predicate: (view: RoomView) => boolean): Promise<void> {
  return new Promise((resolve) => {
    if (predicate(handle.getView())) return resolve();
    const unsubscribe = handle.subscribe((view) => {
      if (!predicate(view)) return;
      unsubscribe();
      resolve();
    });
  });
}

async function setup(options: Record<string, unknown>): Promise<void> {
  const handle = createRoom({ signalingUrl: String(options.signalingUrl), room: String(options.room), media: false, iceServers: [] });
  handle.onData(({ data }) => (data === 'ready' ? heard() : take(data)));
  handle.actor.on('data-error', (event) => errors.push(`${event.code} (to ${event.to})`));
  room = handle;
  await until(handle, (view) => view.status === 'joined');
}

async function ready(): Promise<void> {
  const handle = room!;
  // DATA.SEND goes to the peers the room has: wait for the other page's, then say we are here.
  await until(handle, (view) => view.peers.length === 1);
  handle.send({ type: 'DATA.SEND', data: 'ready' });
  await peerReady;
}

function send(chunks: ArrayBuffer[]): void {
  for (const chunk of chunks) room!.send({ type: 'DATA.SEND', data: chunk });
}

expose({ setup, ready, send }, errors);
