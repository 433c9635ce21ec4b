/**
 * The demo's chat (`startChat`) between two real members: the real signaling server on port 0, `ws`, werift
 * RTCPeerConnections, the real data API. Where a test needs a message no chat would send, the other side sends it
 * by hand with `DATA.SEND`. Messages from one peer arrive in order, so a valid chat message sent last is the signal
 * that everything before it has been received (and, if the log does not show it, ignored).
 */
import { startRealCall, until, type RealCall } from '@peerchart/test-support/real-call';
import type { PeerData, RoomHandle } from '@peerchart/core';
import { createFileTransfers } from '@peerchart/core/files';
import { waitFor } from 'xstate';
import { afterEach, describe, expect, it } from 'vitest';
import { CHAT_LIMITS, startChat, type Chat } from './chat.js';

let call: RealCall;
const chats: Chat[] = [];
afterEach(async () => {
  chats.splice(0).forEach((chat) => chat.stop());
  await call?.close();
});

async function pair(room: string) {
  call = await startRealCall();
  return call.connectedPair(room);
}

const chatOf = (handle: RoomHandle) => {
  const chat = startChat(handle.actor);
  chats.push(chat);
  return chat;
};
const texts = (chat: Chat) => chat.entries().map((entry) => entry.text);
const shows = (chat: Chat, text: string) => () => texts(chat).includes(text);

describe('the demo chat between two werift peers through the real server', () => {
  it('carries messages both ways, named by the room view, own ones marked self and trimmed', async () => {
    const { ada, bob, adaId, bobId } = await pair('chat-both-ways');
    const adaChat = chatOf(ada);
    const bobChat = chatOf(bob);
    let bobChanges = 0;
    bobChat.subscribe(() => bobChanges++);
    const before = adaChat.entries();

    adaChat.send('  Hello from Ada \n');
    // Logged at send, before anything arrives anywhere; a new snapshot, the old one untouched.
    expect(adaChat.entries()).toMatchObject([{ from: adaId, fromName: 'Ada', text: 'Hello from Ada', self: true }]);
    expect(before).toEqual([]);
    await until('Bob has it', shows(bobChat, 'Hello from Ada'));
    bobChat.send('Hi Ada, Bob here');
    await until('Ada has it', shows(adaChat, 'Hi Ada, Bob here'));

    const [adaFirst, adaSecond] = adaChat.entries();
    const [bobFirst, bobSecond] = bobChat.entries();
    expect(bobFirst).toEqual({ ...adaFirst, self: false }); // the same entry on both sides, id `from:id` included
    expect(adaSecond).toEqual({ ...bobSecond, self: false });
    expect(adaFirst!.id.startsWith(`${adaId}:`)).toBe(true);
    expect(bobFirst).toMatchObject({ from: adaId, fromName: 'Ada', self: false });
    expect(bobSecond).toMatchObject({ from: bobId, fromName: 'Bob', self: true });
    expect(adaSecond).toMatchObject({ from: bobId, fromName: 'Bob', self: false });
    expect(adaFirst!.at).toBeLessThanOrEqual(adaSecond!.at);
    expect(bobChanges).toBe(2);
    // Unchanged between changes: what useSyncExternalStore needs of a snapshot.
    expect(bobChat.entries()).toBe(bobChat.entries());
  }, 30_000);

  it('takes nothing else for chat: file transfer, other JSON, bytes, malformed or duplicate chat messages', async () => {
    const { ada, bob, adaId, bobId } = await pair('chat-not-chat');
    const bobChat = chatOf(bob);
    const received: unknown[] = [];
    bob.onData(({ data }) => received.push(data));

    // A real file transfer: its messages (file.offer, chunks, file.end) reach Bob's room, and his file helper.
    const bobFiles = createFileTransfers(bob.actor);
    bobFiles.onOffer((transfer) => transfer.accept());
    const sending = createFileTransfers(ada.actor).send(new Blob(['not a chat message']), bobId, 'note.txt');
    await waitFor(sending.actor, (snapshot) => snapshot.value === 'done', { timeout: 20_000 });
    expect(await bobFiles.list()[0]!.view().file!.text()).toBe('not a chat message');
    // The sender is done once Bob confirmed the last byte: every file message from Ada has arrived by now.
    const fileMessages = received.length;
    expect(fileMessages).toBeGreaterThan(0);

    const valid = { type: 'chat', id: 'm-1', text: 'the real one', at: 1_795_372_800_000 };
    const others: PeerData[] = [
      { type: 'cursor', x: 1, y: 2 },
      { text: 'no type' },
      ['chat', 'm-2', 'an array', 1],
      'chat',
      42,
      null,
      new Uint8Array([0x7b, 0x7d]), // bytes: `{}` as text, still not JSON data
      { ...valid, id: '' },
      { ...valid, id: 'x'.repeat(CHAT_LIMITS.id + 1) },
      { ...valid, id: 7 },
      { ...valid, text: '' },
      { ...valid, text: 'x'.repeat(CHAT_LIMITS.text + 1) },
      { ...valid, text: ['array'] },
      { ...valid, at: '1795372800000' },
      { ...valid, at: null }, // what NaN and Infinity become in JSON
      { ...valid, id: 'm-extra', from: adaId, extra: true },
      { type: 'chat', id: 'm-3', text: 'no clock' },
    ];
    for (const data of others) ada.send({ type: 'DATA.SEND', to: bobId, data });
    ada.send({ type: 'DATA.SEND', to: bobId, data: valid });
    ada.send({ type: 'DATA.SEND', to: bobId, data: valid }); // the same message again
    ada.send({ type: 'DATA.SEND', to: bobId, data: { ...valid, id: 'm-last', text: 'the last one' } });
    await until('the last message', shows(bobChat, 'the last one'));

    // Everything arrived (the bytes as bytes), yet only the two distinct chat messages are chat.
    expect(received.length - fileMessages).toBe(others.length + 3);
    expect(received[fileMessages + others.indexOf(null) + 1]).toBeInstanceOf(ArrayBuffer);
    expect(bobChat.entries()).toEqual([
      { id: `${adaId}:m-1`, from: adaId, fromName: 'Ada', text: 'the real one', at: valid.at, self: false },
      { id: `${adaId}:m-last`, from: adaId, fromName: 'Ada', text: 'the last one', at: valid.at, self: false },
    ]);
    bobFiles.stop();
  }, 40_000);

  it('keeps the newest 200 entries, cuts long text, ignores blank text', async () => {
    const { ada, bob } = await pair('chat-bounds');
    const adaChat = chatOf(ada);
    const bobChat = chatOf(bob);

    adaChat.send('x'.repeat(CHAT_LIMITS.text + 500));
    adaChat.send(' \n\t ');
    for (let n = 1; n <= CHAT_LIMITS.log; n++) adaChat.send(`message ${n}`);
    await until('the last message', shows(bobChat, `message ${CHAT_LIMITS.log}`), 20_000);

    for (const chat of [adaChat, bobChat]) {
      expect(chat.entries()).toHaveLength(CHAT_LIMITS.log);
      // The long one was first and is gone; the blank one was never sent, or it would be between.
      expect(texts(chat)[0]).toBe('message 1');
      expect(new Set(chat.entries().map((entry) => entry.id)).size).toBe(CHAT_LIMITS.log);
    }
    expect(texts(bobChat)).toEqual(texts(adaChat));

    // Text past the limit is cut, as logged and as sent (a fresh log on Bob's side shows what arrived).
    const bobAgain = chatOf(bob);
    adaChat.send('y'.repeat(CHAT_LIMITS.text + 1));
    await until('the cut message', () => bobAgain.entries().length === 1);
    expect(bobAgain.entries()[0]!.text).toBe('y'.repeat(CHAT_LIMITS.text));
    expect(adaChat.entries().at(-1)!.text).toBe('y'.repeat(CHAT_LIMITS.text));
    expect(texts(bobChat).at(0)).toBe('message 2'); // the oldest dropped for the new one
  }, 40_000);
});
