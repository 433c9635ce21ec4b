/**
 * The pre-join screen's logic against a real room (real server, `ws`, werift): which URL shows it, that
 * it is up exactly while the room waits for JOIN, and that its Join carries the name typed there.
 */
import { createRoom, type RoomHandle } from '@peerchart/core';
import { startRealCall, until, type RealCall } from '@peerchart/test-support/real-call';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readCallOptions } from './call-options.js';
import { roomOptions } from './join-room.js';
import { awaitsJoin, joinCommand } from './prejoin.js';

let call: RealCall;
beforeAll(async () => {
  call = await startRealCall();
});
afterAll(() => call?.close());

const optionsFor = (query: string) => {
  const options = readCallOptions(`http://demo.test/vue/?${query}`);
  return roomOptions({ ...options, room: options.room ?? '' });
};

describe('roomOptions: which address shows the pre-join screen', () => {
  it('?room waits for JOIN; &join (or join=1) and &receiveOnly join at once; join=0 does not', () => {
    expect(optionsFor('room=r').autoJoin).toBe(false);
    expect(optionsFor('room=r&join').autoJoin).toBe(true);
    expect(optionsFor('room=r&join=1').autoJoin).toBe(true);
    expect(optionsFor('room=r&join=0').autoJoin).toBe(false);
    expect(optionsFor('room=r&receiveOnly').autoJoin).toBe(true);
  });
});

describe('awaitsJoin + joinCommand', () => {
  /** Every awaitsJoin value of a room's snapshots, from its first. */
  const record = (room: RoomHandle) => {
    const seen = [awaitsJoin(room.actor.getSnapshot())];
    room.actor.subscribe((snapshot) => seen.push(awaitsJoin(snapshot)));
    return seen;
  };

  it('is true from the start until Join, which joins under the name typed on the screen; a room joining at once never shows it', async () => {
    const page = optionsFor(`room=prejoin&name=Ada&signal=${encodeURIComponent(call.signalingUrl)}`);
    const base = call.options('prejoin', 'Ada');
    // Node has no camera: receive-only media, but still behind the pre-join screen (autoJoin from the URL).
    const ada = createRoom({ ...page, media: false, iceServers: [], implementations: base.implementations, timing: base.timing });
    const adaSeen = record(ada);
    await until('Ada to be ready', () => ada.getView().status === 'ready');
    expect(adaSeen.every(Boolean)).toBe(true);

    ada.send(joinCommand('  Ada Lovelace '));
    expect(awaitsJoin(ada.actor.getSnapshot())).toBe(false);
    await until('Ada to join', () => ada.getView().status === 'joined');
    expect(ada.getView().selfName).toBe('Ada Lovelace');

    const bob = call.join('prejoin', 'Bob');
    const bobSeen = record(bob);
    await until('Bob to see Ada', () => bob.getView().peers.length === 1);
    expect(bob.getView().peers[0]?.name).toBe('Ada Lovelace');
    expect(bobSeen.some(Boolean)).toBe(false);
    await ada.leave();
  });
});
