/** The file-transfer chart and wire format on their own (no network): who may do what in which state, and what it says. */
import { createActor } from 'xstate';
import { describe, expect, it } from 'vitest';
import { fileTransferMachine, type FileTransferInput } from './transfer.machine.js';
import { decodeChunk, encodeChunk, parseFileMessage, type FileMessage } from './wire.js';

function transfer(direction: FileTransferInput['direction'], file?: Blob) {
  const said: FileMessage[] = [];
  const frames: Uint8Array[] = [];
  const actor = createActor(fileTransferMachine, {
    input: { id: 9, direction, peerId: 'bob', name: 'a.txt', size: file?.size ?? 5, mime: 'text/plain', file, wire: { json: (m) => said.push(m), binary: (f) => frames.push(f) } },
  }).start();
  return { actor, said, frames };
}

describe('fileTransferMachine', () => {
  it('the sender offers at once and sends nothing more until the receiver accepts; only the receiver may ACCEPT', () => {
    const { actor, said, frames } = transfer('send', new Blob(['hello']));
    expect(said).toEqual([{ type: 'file.offer', id: 9, name: 'a.txt', size: 5, mime: 'text/plain' }]);
    actor.send({ type: 'ACCEPT' });
    expect(actor.getSnapshot().value).toBe('offered');
    expect(frames).toEqual([]);
    actor.send({ type: 'REMOTE.ACCEPT' });
    expect(actor.getSnapshot().value).toBe('sending');
  });

  it('the receiver says nothing until it accepts, and ignores REMOTE.ACCEPT', () => {
    const { actor, said } = transfer('receive');
    expect(said).toEqual([]);
    actor.send({ type: 'REMOTE.ACCEPT' });
    expect(actor.getSnapshot().value).toBe('offered');
    actor.send({ type: 'ACCEPT' });
    expect(actor.getSnapshot().value).toBe('receiving');
    expect(said).toEqual([{ type: 'file.accept', id: 9 }]);
  });

  it('a local cancel tells the other side as this side; a remote one does not answer; both are final', () => {
    const local = transfer('receive');
    local.actor.send({ type: 'CANCEL' });
    expect(local.actor.getSnapshot()).toMatchObject({ value: 'cancelled', status: 'done', context: { cancelledBy: 'local' } });
    expect(local.said).toEqual([{ type: 'file.cancel', id: 9, by: 'receiver' }]);
    const remote = transfer('send', new Blob(['hello']));
    remote.actor.send({ type: 'REMOTE.CANCEL' });
    expect(remote.actor.getSnapshot()).toMatchObject({ value: 'cancelled', context: { cancelledBy: 'remote' } });
    expect(remote.said.map((m) => m.type)).toEqual(['file.offer']);
  });

  it('a failure found here is told with its code, except a gone peer (nobody to tell)', () => {
    const found = transfer('receive');
    found.actor.send({ type: 'ACCEPT' });
    found.actor.send({ type: 'FAIL', code: 'file/protocol' });
    expect(found.actor.getSnapshot()).toMatchObject({ value: 'failed', context: { error: 'file/protocol' } });
    expect(found.said.at(-1)).toEqual({ type: 'file.failed', id: 9, by: 'receiver', code: 'file/protocol' });
    const gone = transfer('send', new Blob(['hello']));
    gone.actor.send({ type: 'FAIL', code: 'file/peer-gone' });
    expect(gone.actor.getSnapshot()).toMatchObject({ value: 'failed', context: { error: 'file/peer-gone' } });
    expect(gone.said.map((m) => m.type)).toEqual(['file.offer']);
  });
});

describe('file wire format', () => {
  it('a chunk frame round-trips; the app own bytes are not a chunk', () => {
    const frame = encodeChunk(0xfedc_ba98, 131_040, new Uint8Array([1, 2, 3]));
    expect(frame.byteLength).toBe(19);
    expect(decodeChunk(frame.buffer as ArrayBuffer)).toEqual({ id: 0xfedc_ba98, offset: 131_040, bytes: new Uint8Array([1, 2, 3]) });
    expect(decodeChunk(new Uint8Array(32).buffer)).toBeNull();
    expect(decodeChunk(new Uint8Array([0x50, 0x43, 0x46, 0x31]).buffer)).toBeNull();
  });

  it('parses its own messages and leaves everything else alone', () => {
    expect(parseFileMessage({ type: 'file.ack', id: 1, bytes: 10 })).toEqual({ type: 'file.ack', id: 1, bytes: 10 });
    expect(parseFileMessage({ type: 'file.failed', id: 1, by: 'sender', code: 'file/read-failed' })).not.toBeNull();
    for (const other of [null, 'file.ack', [1], { type: 'chat', id: 1 }, { type: 'file.ack', id: -1, bytes: 1 }, { type: 'file.ack', id: 1 },
      { type: 'file.cancel', id: 1, by: 'someone' }, { type: 'file.failed', id: 1, by: 'sender', code: 'data/too-large' },
      { type: 'file.offer', id: 1, name: 'x', size: 1.5, mime: '' }]) {
      expect(parseFileMessage(other)).toBeNull();
    }
  });
});
