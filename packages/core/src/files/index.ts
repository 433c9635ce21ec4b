/**
 * `@peerchart/core/files`: send files between the members of a room over the data API, chunked, with progress,
 * cancel on either side and an integrity check. Not part of the main entry: an app that does not import it does
 * not ship it. Each transfer is a `fileTransferMachine` actor (see transfer.machine.ts), inspectable like the room.
 */
import { createActor, type Actor } from 'xstate';
import type { RoomHandle } from '../create-room.js';
import { fileTransferMachine, type FileTransferEvent, type FileTransferInput, type FileTransferStatus } from './transfer.machine.js';
import { decodeChunk, newTransferId, parseFileMessage, type FileErrorCode, type FileMessage } from './wire.js';

export { FILE_ERROR_CODES, FILE_TRANSFER_LIMITS, type FileErrorCode } from './wire.js';
export { fileTransferMachine, type FileTransferStatus } from './transfer.machine.js';

/** What one side of a transfer shows: a plain snapshot for a UI. */
export interface FileTransferView {
  /** Unique among this room's transfers on this side (the wire id is only unique per sender). */
  key: string;
  direction: 'send' | 'receive';
  peerId: string;
  name: string;
  size: number;
  mime: string;
  status: FileTransferStatus;
  /** Sender: bytes the receiver confirmed; receiver: bytes received. Progress is `bytes / size`. */
  bytes: number;
  /** Set when `status` is `failed`. */
  error: FileErrorCode | null;
  /** Set when `status` is `cancelled`: which side cancelled. */
  cancelledBy: 'local' | 'remote' | null;
  /** Receiver, once `done`: the verified file. */
  file: Blob | null;
}

export interface FileTransfer {
  readonly key: string;
  readonly actor: Actor<typeof fileTransferMachine>;
  view(): FileTransferView;
  /** Receiver, while `offered`: start receiving. */
  accept(): void;
  /** Either side, until the transfer ends: stops it on both sides. */
  cancel(): void;
}

export interface FileTransfers {
  /** Offers `file` to the member `to` (a peer id); the transfer starts once the other side accepts it. */
  send(file: Blob, to: string, name?: string): FileTransfer;
  /** Every transfer of this side, oldest first, finished ones included. */
  list(): FileTransfer[];
  /** Calls `listener` with each file offered to this side (call `accept()` or `cancel()` on it). */
  onOffer(listener: (transfer: FileTransfer) => void): () => void;
  /** Calls `listener` after any transfer changes (a new one, progress, a new state). */
  subscribe(listener: () => void): () => void;
  /** Cancels every unfinished transfer and stops listening to the room. */
  stop(): void;
}

/** The room as this helper needs it: a `RoomHandle`'s `actor` (or the bindings' `actor`). */
export type FileRoom = Pick<RoomHandle['actor'], 'send' | 'on' | 'subscribe' | 'getSnapshot'>;

export function createFileTransfers(room: FileRoom): FileTransfers {
  const transfers = new Map<string, FileTransfer>();
  const offerListeners = new Set<(transfer: FileTransfer) => void>();
  const listeners = new Set<() => void>();
  const changed = () => listeners.forEach((listener) => listener());
  // Outgoing transfers are keyed by their own id, incoming ones by the sender too.
  const keyOf = (direction: 'send' | 'receive', peerId: string, id: number) => `${direction}:${peerId}:${id}`;

  const start = (input: Omit<FileTransferInput, 'wire'>): FileTransfer => {
    const to = input.peerId;
    const actor = createActor(fileTransferMachine, {
      input: {
        ...input,
        // The room is another actor: sending to it from inside this machine's transition would run the room's
        // transition inside ours. A microtask later, in the order sent (chunks and control messages alike).
        wire: {
          json: (message) => queueMicrotask(() => room.send({ type: 'DATA.SEND', data: message, to })),
          binary: (frame) => queueMicrotask(() => room.send({ type: 'DATA.SEND', data: frame, to })),
        },
      },
    });
    const key = keyOf(input.direction, to, input.id);
    const transfer: FileTransfer = {
      key,
      actor,
      view: () => {
        const { value, context } = actor.getSnapshot();
        const { direction, peerId, name, size, mime, bytes, error, cancelledBy, received } = context;
        return { key, direction, peerId, name, size, mime, status: value, bytes, error, cancelledBy, file: received };
      },
      accept: () => tell(transfer, { type: 'ACCEPT' }),
      cancel: () => tell(transfer, { type: 'CANCEL' }),
    };
    transfers.set(key, transfer);
    actor.subscribe(changed);
    actor.start();
    changed();
    return transfer;
  };

  // Finished transfers take no more events (an actor in a final state has stopped).
  const tell = (transfer: FileTransfer | undefined, event: FileTransferEvent) => {
    if (transfer?.actor.getSnapshot().status === 'active') transfer.actor.send(event);
  };
  const deliver = (direction: 'send' | 'receive', from: string, id: number, event: FileTransferEvent) =>
    tell(transfers.get(keyOf(direction, from, id)), event);

  const onMessage = (from: string, message: FileMessage) => {
    const { id } = message;
    switch (message.type) {
      case 'file.offer': {
        if (transfers.has(keyOf('receive', from, id))) return;
        const transfer = start({ id, direction: 'receive', peerId: from, name: message.name, size: message.size, mime: message.mime });
        return offerListeners.forEach((listener) => listener(transfer));
      }
      case 'file.accept':
        return deliver('send', from, id, { type: 'REMOTE.ACCEPT' });
      case 'file.ack':
        return deliver('send', from, id, { type: 'PROGRESS', bytes: message.bytes });
      case 'file.done':
        return deliver('send', from, id, { type: 'REMOTE.DONE' });
      case 'file.end':
        return deliver('receive', from, id, { type: 'END', digest: message.digest });
      // A message from the sender names its own transfer: ours is the receiving one, and the other way round.
      case 'file.cancel':
        return deliver(message.by === 'sender' ? 'receive' : 'send', from, id, { type: 'REMOTE.CANCEL' });
      case 'file.failed':
        return deliver(message.by === 'sender' ? 'receive' : 'send', from, id, { type: 'REMOTE.FAILED', code: message.code });
    }
  };

  const failPeer = (peerId: string, code: FileErrorCode) => {
    for (const transfer of transfers.values()) if (transfer.view().peerId === peerId) tell(transfer, { type: 'FAIL', code });
  };

  const subscriptions = [
    room.on('data', ({ from, data }) => {
      if (data instanceof ArrayBuffer) {
        const chunk = decodeChunk(data);
        if (chunk) deliver('receive', from, chunk.id, { type: 'CHUNK', offset: chunk.offset, bytes: chunk.bytes });
      } else {
        const message = parseFileMessage(data);
        if (message) onMessage(from, message);
      }
    }),
    // Per message, so not attributable to one transfer: any lost message to a peer ends its transfers.
    room.on('data-error', ({ code, to }) => {
      if (code === 'data/peer-gone') failPeer(to, 'file/peer-gone');
      else if (code === 'data/queue-full') failPeer(to, 'file/send-failed');
    }),
    // A member who left (or a room that ended) takes its transfers with it.
    room.subscribe((snapshot) => {
      for (const transfer of transfers.values()) {
        const { peerId } = transfer.view();
        if (snapshot.status !== 'active' || !snapshot.context.peers[peerId]) tell(transfer, { type: 'FAIL', code: 'file/peer-gone' });
      }
    }),
  ];

  return {
    send: (file, to, name = (file as Partial<File>).name ?? 'file') =>
      start({ id: newTransferId(), direction: 'send', peerId: to, name, size: file.size, mime: file.type, file }),
    list: () => [...transfers.values()],
    onOffer: (listener) => {
      offerListeners.add(listener);
      return () => offerListeners.delete(listener);
    },
    subscribe: (listener) => {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    stop: () => {
      for (const transfer of transfers.values()) tell(transfer, { type: 'CANCEL' });
      subscriptions.forEach((subscription) => subscription.unsubscribe());
      listeners.clear();
      offerListeners.clear();
    },
  };
}
