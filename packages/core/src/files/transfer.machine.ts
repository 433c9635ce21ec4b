/**
 * One file transfer, one side of it, as a statechart:
 *
 *   offered ─┬─ (receiver) ACCEPT ──────────► receiving ── VERIFIED ──────► done
 *            └─ (sender) REMOTE.ACCEPT ──► sending ── SENT ──► confirming ── REMOTE.DONE ──► done
 *   any of them ── CANCEL / REMOTE.CANCEL ──► cancelled      ── FAIL / REMOTE.FAILED ──► failed
 *
 * The I/O lives in the two invoked actors, so leaving `sending` or `receiving` (a cancel, a failure) stops
 * the reading, hashing and sending at once. `wire` is how this side talks to the other (the data API).
 */
import { assign, fromCallback, sendTo, setup } from 'xstate';
import { ChunkDigest, encodeChunk, FILE_TRANSFER_LIMITS, type FileErrorCode, type FileMessage, type FileSide } from './wire.js';

export interface FileWire {
  json(message: FileMessage): void;
  binary(frame: Uint8Array): void;
}

export interface FileTransferInput {
  id: number;
  /** `send`: this side offers `file`; `receive`: the other side offered it. */
  direction: 'send' | 'receive';
  peerId: string;
  name: string;
  size: number;
  mime: string;
  /** The file to send (sender only). */
  file?: Blob;
  wire: FileWire;
}

export interface FileTransferContext extends FileTransferInput {
  /** Sender: bytes the receiver confirmed; receiver: bytes received and hashed. */
  bytes: number;
  error: FileErrorCode | null;
  cancelledBy: 'local' | 'remote' | null;
  /** Receiver, once `done`: the verified file. */
  received: Blob | null;
}

export type FileTransferEvent =
  | { type: 'ACCEPT' }
  | { type: 'CANCEL' }
  | { type: 'FAIL'; code: FileErrorCode }
  | { type: 'PROGRESS'; bytes: number }
  | { type: 'SENT' }
  | { type: 'CHUNK'; offset: number; bytes: Uint8Array }
  | { type: 'END'; digest: string }
  | { type: 'VERIFIED'; file: Blob }
  | { type: 'REMOTE.ACCEPT' }
  | { type: 'REMOTE.DONE' }
  | { type: 'REMOTE.CANCEL' }
  | { type: 'REMOTE.FAILED'; code: FileErrorCode };

const side = (context: FileTransferContext): FileSide => (context.direction === 'send' ? 'sender' : 'receiver');

/** Reads, hashes and sends the file chunk by chunk, never more than `window` bytes ahead of the receiver's acks. */
const sendChunks = fromCallback<FileTransferEvent, FileTransferContext>(({ input, sendBack, receive }) => {
  const { id, file, size, wire } = input;
  let acked = 0;
  let stopped = false;
  let wake = () => {};
  receive((event) => {
    if (event.type !== 'PROGRESS') return;
    acked = event.bytes;
    wake();
  });
  void (async () => {
    const digest = new ChunkDigest();
    for (let offset = 0; offset < size; offset += FILE_TRANSFER_LIMITS.chunk) {
      while (!stopped && offset - acked >= FILE_TRANSFER_LIMITS.window) await new Promise<void>((resolve) => (wake = resolve));
      if (stopped) return;
      // Only this chunk is read: the file itself may be far larger than memory.
      const bytes = new Uint8Array(await file!.slice(offset, offset + FILE_TRANSFER_LIMITS.chunk).arrayBuffer());
      if (stopped) return;
      void digest.add(bytes);
      wire.binary(encodeChunk(id, offset, bytes));
    }
    const hex = await digest.hex();
    if (stopped) return;
    wire.json({ type: 'file.end', id, digest: hex });
    sendBack({ type: 'SENT' });
  })().catch(() => stopped || sendBack({ type: 'FAIL', code: 'file/read-failed' }));
  return () => {
    stopped = true;
    wake();
  };
});

/** Checks, hashes and keeps each chunk in order; acknowledges progress; on `END`, compares the digests. */
const receiveChunks = fromCallback<FileTransferEvent, FileTransferContext>(({ input, sendBack, receive }) => {
  const { id, size, mime, wire } = input;
  const digest = new ChunkDigest();
  // Chunks are folded into a Blob every `ackEvery` bytes (a browser may keep a large Blob on disk).
  let kept = new Blob([]);
  let pending: Uint8Array[] = [];
  let received = 0;
  let acked = 0;
  let failed = false;
  let work = Promise.resolve();
  const fail = (code: FileErrorCode) => {
    if (failed) return;
    failed = true;
    sendBack({ type: 'FAIL', code });
  };
  receive((event) => {
    if (failed) return;
    if (event.type === 'CHUNK') {
      // Ordered, reliable channel: a chunk anywhere but right after the last one is a broken sender.
      if (event.offset !== received || received + event.bytes.byteLength > size || event.bytes.byteLength === 0) return fail('file/protocol');
      received += event.bytes.byteLength;
      pending.push(event.bytes);
      const at = received;
      work = work.then(async () => {
        await digest.add(event.bytes);
        if (at - acked >= FILE_TRANSFER_LIMITS.ackEvery || at === size) {
          kept = new Blob([kept, ...(pending as BlobPart[])]);
          pending = [];
          acked = at;
          wire.json({ type: 'file.ack', id, bytes: at });
        }
        sendBack({ type: 'PROGRESS', bytes: at });
      });
    } else if (event.type === 'END') {
      work = work.then(async () => {
        if (received !== size || (await digest.hex()) !== event.digest) return fail('file/integrity');
        sendBack({ type: 'VERIFIED', file: new Blob([kept, ...(pending as BlobPart[])], { type: mime }) });
      });
    }
  });
  return () => {
    failed = true;
  };
});

export const fileTransferMachine = setup({
  types: {} as { context: FileTransferContext; input: FileTransferInput; events: FileTransferEvent },
  actors: { sendChunks, receiveChunks },
  actions: {
    tell: ({ context }, message: FileMessage) => context.wire.json(message),
    offer: ({ context: { direction, wire, id, name, size, mime } }) => {
      if (direction === 'send') wire.json({ type: 'file.offer', id, name, size, mime });
    },
  },
  guards: {
    isSender: ({ context }) => context.direction === 'send',
    isReceiver: ({ context }) => context.direction === 'receive',
  },
}).createMachine({
  id: 'fileTransfer',
  context: ({ input }) => ({ ...input, bytes: 0, error: null, cancelledBy: null, received: null }),
  initial: 'offered',
  // Root transitions apply in every state until a final one (the actor is done then and takes no more events).
  on: {
    CANCEL: {
      target: '.cancelled',
      actions: [
        assign({ cancelledBy: 'local' }),
        { type: 'tell', params: ({ context }) => ({ type: 'file.cancel', id: context.id, by: side(context) }) },
      ],
    },
    'REMOTE.CANCEL': { target: '.cancelled', actions: assign({ cancelledBy: 'remote' }) },
    // A failure found here is told to the other side; one the other side reports, or a gone peer, is not.
    FAIL: [
      { guard: ({ event }) => event.code === 'file/peer-gone', target: '.failed', actions: assign({ error: 'file/peer-gone' }) },
      {
        target: '.failed',
        actions: [
          assign({ error: ({ event }) => event.code }),
          {
            type: 'tell',
            params: ({ context, event }) => ({ type: 'file.failed', id: context.id, by: side(context), code: event.code }),
          },
        ],
      },
    ],
    'REMOTE.FAILED': { target: '.failed', actions: assign({ error: ({ event }) => event.code }) },
  },
  states: {
    offered: {
      entry: 'offer',
      on: {
        ACCEPT: {
          guard: 'isReceiver',
          target: 'receiving',
          actions: { type: 'tell', params: ({ context }) => ({ type: 'file.accept', id: context.id }) },
        },
        'REMOTE.ACCEPT': { guard: 'isSender', target: 'sending' },
      },
    },
    sending: {
      invoke: { id: 'io', src: 'sendChunks', input: ({ context }) => context },
      on: {
        PROGRESS: { actions: [assign({ bytes: ({ event }) => event.bytes }), sendTo('io', ({ event }) => event)] },
        SENT: 'confirming',
      },
    },
    confirming: {
      on: {
        PROGRESS: { actions: assign({ bytes: ({ event }) => event.bytes }) },
        'REMOTE.DONE': 'done',
      },
    },
    receiving: {
      invoke: { id: 'io', src: 'receiveChunks', input: ({ context }) => context },
      on: {
        CHUNK: { actions: sendTo('io', ({ event }) => event) },
        END: { actions: sendTo('io', ({ event }) => event) },
        PROGRESS: { actions: assign({ bytes: ({ event }) => event.bytes }) },
        VERIFIED: {
          target: 'done',
          actions: [
            assign({ received: ({ event }) => event.file }),
            { type: 'tell', params: ({ context }) => ({ type: 'file.done', id: context.id }) },
          ],
        },
      },
    },
    done: { type: 'final' },
    cancelled: { type: 'final' },
    failed: { type: 'final' },
  },
});

export type FileTransferStatus = 'offered' | 'sending' | 'confirming' | 'receiving' | 'done' | 'cancelled' | 'failed';
