/**
 * File transfer (`@peerchart/core/files`, and the demo's `startFileShare` on top) between two real members: the real
 * signaling server on port 0, `ws`, werift RTCPeerConnections, the real data API. Where a test needs to see or
 * change what goes on the wire, it hands the helper a room whose `send` passes every message through a function
 * of the test's (the helper takes any room actor); the room itself is untouched.
 */
import { randomBytes } from 'node:crypto';
import { startRealCall, until, type RealCall } from '@peerchart/test-support/real-call';
import type { RoomHandle } from '@peerchart/core';
import { createFileTransfers, FILE_TRANSFER_LIMITS, type FileRoom, type FileTransfer } from '@peerchart/core/files';
import { waitFor } from 'xstate';
import { afterEach, describe, expect, it } from 'vitest';
import { startFileShare } from './file-share.js';

let call: RealCall;
afterEach(() => call?.close());

const MiB = 1_048_576;

async function pair(room: string) {
  call = await startRealCall();
  return call.connectedPair(room);
}

type RoomEvent = Parameters<FileRoom['send']>[0];
/** The room actor, with every message the helper sends passed through `intercept` (which sends it, or not). */
function tapped(handle: RoomHandle, intercept: (event: RoomEvent, send: (event: RoomEvent) => void) => void): FileRoom {
  const { actor } = handle;
  return {
    send: (event) => intercept(event, (e) => actor.send(e)),
    on: actor.on.bind(actor),
    subscribe: actor.subscribe.bind(actor),
    getSnapshot: actor.getSnapshot.bind(actor),
  } as FileRoom;
}

type ChunkSend = { type: 'DATA.SEND'; data: Uint8Array<ArrayBuffer>; to?: string };
const isChunk = (event: RoomEvent): event is ChunkSend => event.type === 'DATA.SEND' && event.data instanceof Uint8Array;
/** Random bytes as a Blob part (Node's Buffer type allows a SharedArrayBuffer, which Blob does not take). */
const random = (size: number) => new Uint8Array(randomBytes(size));
const ended = (transfer: FileTransfer, status: string, timeout = 30_000) =>
  waitFor(transfer.actor, (snapshot) => snapshot.value === status, { timeout });
const nextOffer = (files: ReturnType<typeof createFileTransfers>) =>
  new Promise<FileTransfer>((resolve) => files.onOffer(resolve));

describe('file transfer between two werift peers through the real server', () => {
  it('sends a 6 MiB random file byte-exact, never more than the window ahead of the receiver', async () => {
    const { ada, bob, adaId, bobId } = await pair('files-exact');
    const source = random(6 * MiB + 12_345); // not a whole number of chunks
    let sentBytes = 0;
    let worstLead = 0;
    const adaFiles = createFileTransfers(
      tapped(ada, (event, send) => {
        if (isChunk(event)) {
          sentBytes += event.data.byteLength - 16;
          worstLead = Math.max(worstLead, sentBytes - sending.view().bytes);
        }
        send(event);
      }),
    );
    const bobFiles = createFileTransfers(bob.actor);
    const offered = nextOffer(bobFiles);
    const sending = adaFiles.send(new Blob([source], { type: 'application/octet-stream' }), bobId, 'random.bin');
    const receiving = await offered;
    expect(receiving.view()).toMatchObject({ direction: 'receive', peerId: adaId, name: 'random.bin', size: source.length, status: 'offered' });
    // Nothing but the offer goes out before the receiver accepts.
    expect(sentBytes).toBe(0);
    const progress: number[] = [];
    bobFiles.subscribe(() => progress.push(receiving.view().bytes));
    receiving.accept();

    await ended(receiving, 'done', 60_000);
    await ended(sending, 'done', 60_000);
    const file = receiving.view().file!;
    expect(file.type).toBe('application/octet-stream');
    expect(Buffer.from(await file.arrayBuffer()).equals(source)).toBe(true); // byte-exact
    expect(sending.view()).toMatchObject({ status: 'done', bytes: source.length, error: null });
    expect(receiving.view()).toMatchObject({ status: 'done', bytes: source.length, error: null });
    // Progress only grows, and reaches the size.
    expect(progress).toEqual([...progress].sort((a, b) => a - b));
    expect(progress.at(-1)).toBe(source.length);
    // Flow control: what was sent never ran further ahead of the receiver's acknowledgements than the window.
    expect(sentBytes).toBe(source.length);
    expect(worstLead).toBeGreaterThan(FILE_TRANSFER_LIMITS.ackEvery);
    expect(worstLead).toBeLessThanOrEqual(FILE_TRANSFER_LIMITS.window);
  }, 90_000);

  for (const side of ['sender', 'receiver'] as const) {
    it(`cancel by the ${side} mid-transfer stops it on both sides`, async () => {
      const { ada, bob, bobId } = await pair(`files-cancel-${side}`);
      let chunksAfterCancel = 0;
      let cancelled = false;
      const adaFiles = createFileTransfers(
        tapped(ada, (event, send) => {
          if (cancelled && isChunk(event)) chunksAfterCancel++;
          send(event);
        }),
      );
      const bobFiles = createFileTransfers(bob.actor);
      const offered = nextOffer(bobFiles);
      const sending = adaFiles.send(new Blob([random(8 * MiB)]), bobId, 'big.bin');
      const receiving = await offered;
      receiving.accept();
      await waitFor(receiving.actor, (snapshot) => snapshot.context.bytes >= MiB, { timeout: 30_000 });

      cancelled = true;
      (side === 'sender' ? sending : receiving).cancel();
      await ended(sending, 'cancelled');
      await ended(receiving, 'cancelled');
      expect(sending.view().cancelledBy).toBe(side === 'sender' ? 'local' : 'remote');
      expect(receiving.view().cancelledBy).toBe(side === 'sender' ? 'remote' : 'local');
      expect(receiving.view().bytes).toBeLessThan(8 * MiB);
      expect(receiving.view().file).toBeNull();
      if (side === 'sender') expect(chunksAfterCancel).toBe(0);
      // The helpers stay usable: a second file after the cancelled one arrives.
      const again = nextOffer(bobFiles);
      const small = adaFiles.send(new Blob(['after the cancel']), bobId, 'small.txt');
      const next = await again;
      next.accept();
      await ended(next, 'done');
      await ended(small, 'done');
      expect(await next.view().file!.text()).toBe('after the cancel');
    }, 90_000);
  }

  it('a chunk corrupted on the way is a typed integrity failure on both sides', async () => {
    const { ada, bob, bobId } = await pair('files-corrupt');
    let chunks = 0;
    const adaFiles = createFileTransfers(
      tapped(ada, (event, send) => {
        // The test's corruption: one bit of the third chunk's file bytes flipped after the sender hashed them.
        if (isChunk(event) && ++chunks === 3) {
          const copy = event.data.slice();
          copy[100]! ^= 0x01;
          return send({ ...event, data: copy });
        }
        send(event);
      }),
    );
    const bobFiles = createFileTransfers(bob.actor);
    const offered = nextOffer(bobFiles);
    const sending = adaFiles.send(new Blob([random(2 * MiB)]), bobId, 'flipped.bin');
    const receiving = await offered;
    receiving.accept();
    await ended(receiving, 'failed');
    await ended(sending, 'failed');
    expect(receiving.view()).toMatchObject({ error: 'file/integrity', file: null, bytes: 2 * MiB });
    expect(sending.view().error).toBe('file/integrity');
  }, 60_000);

  it('crafted messages: a chunk out of order is a protocol failure, reported back to the sender', async () => {
    const { ada, bob, bobId } = await pair('files-crafted');
    const bobFiles = createFileTransfers(bob.actor);
    const replies: unknown[] = [];
    ada.onData(({ data }) => replies.push(data));
    const offered = nextOffer(bobFiles);
    // Ada plays a sender by hand, on the raw data API.
    ada.send({ type: 'DATA.SEND', to: bobId, data: { type: 'file.offer', id: 7, name: 'crafted.bin', size: 100, mime: '' } });
    const receiving = await offered;
    receiving.accept();
    await until('file.accept', () => replies.some((m) => (m as { type?: string }).type === 'file.accept'));
    const frame = new Uint8Array(16 + 10);
    const header = new DataView(frame.buffer);
    header.setUint32(0, 0x50_43_46_31); // "PCF1"
    header.setUint32(4, 7);
    header.setFloat64(8, 50); // the first chunk must start at 0
    ada.send({ type: 'DATA.SEND', to: bobId, data: frame });
    await ended(receiving, 'failed');
    expect(receiving.view().error).toBe('file/protocol');
    await until('file.failed', () => replies.some((m) => (m as { type?: string }).type === 'file.failed'));
    expect(replies.at(-1)).toEqual({ type: 'file.failed', id: 7, by: 'receiver', code: 'file/protocol' });
  }, 60_000);

  it('the sender leaving mid-transfer fails it with file/peer-gone; the demo share accepts and links a finished file', async () => {
    const { ada, bob, adaId, bobId } = await pair('files-gone');
    const bobShare = startFileShare(bob.actor);
    const adaFiles = createFileTransfers(ada.actor);
    // A finished file first: the demo's share accepted it on its own and offers a download URL.
    const small = adaFiles.send(new Blob(['hello']), bobId, 'hello.txt');
    await ended(small, 'done');
    const [done] = bobShare.transfers();
    expect(done).toMatchObject({ status: 'done', peerId: adaId, name: 'hello.txt' });
    expect(bobShare.downloadUrl(done!)).toMatch(/^blob:/);

    adaFiles.send(new Blob([random(8 * MiB)]), bobId, 'big.bin');
    await until('receiving', () => bobShare.transfers()[1]?.status === 'receiving' && bobShare.transfers()[1]!.bytes > 0, 30_000);
    await ada.leave();
    await until('failed', () => bobShare.transfers()[1]?.status === 'failed', 30_000);
    expect(bobShare.transfers()[1]).toMatchObject({ error: 'file/peer-gone', file: null });
    bobShare.stop();
  }, 60_000);
});
