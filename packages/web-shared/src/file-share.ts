import type { PeerView } from '@peerchart/core';
import { createFileTransfers, type FileErrorCode, type FileRoom, type FileTransferView } from '@peerchart/core/files';

/**
 * The demo's "Send file": every file offered to this page is accepted at once, a received file becomes a
 * download link (an object URL, revoked on `stop`), and each transfer is one row with the same words in both shells.
 */
export interface FileShare {
  /** Every transfer of this page, oldest first; call after each `subscribe` notification. */
  transfers(): FileTransferView[];
  subscribe(listener: () => void): () => void;
  /** Offers `file` to each of `peerIds` (one transfer per peer). */
  send(file: File, peerIds: string[]): void;
  cancel(key: string): void;
  /** The object URL of a received, verified file (the same URL on every call). */
  downloadUrl(transfer: FileTransferView): string | null;
  /** Cancels what is still running and revokes the download URLs. */
  stop(): void;
}

export function startFileShare(room: FileRoom): FileShare {
  const files = createFileTransfers(room);
  const urls = new Map<string, string>();
  files.onOffer((transfer) => transfer.accept());
  const byKey = (key: string) => files.list().find((transfer) => transfer.key === key);
  return {
    transfers: () => files.list().map((transfer) => transfer.view()),
    subscribe: (listener) => files.subscribe(listener),
    send: (file, peerIds) => peerIds.forEach((peerId) => files.send(file, peerId)),
    cancel: (key) => byKey(key)?.cancel(),
    downloadUrl: ({ key, file }) => {
      if (!file) return null;
      if (!urls.has(key)) urls.set(key, URL.createObjectURL(file));
      return urls.get(key)!;
    },
    stop: () => {
      files.stop();
      urls.forEach((url) => URL.revokeObjectURL(url));
      urls.clear();
    },
  };
}

const ERRORS: Record<FileErrorCode, string> = {
  'file/integrity': 'the file arrived damaged (integrity check failed)',
  'file/peer-gone': 'the other side left',
  'file/read-failed': 'the file could not be read',
  'file/send-failed': 'a part could not be sent',
  'file/protocol': 'the other side sent something unexpected',
};

/** One transfer in plain words, e.g. `Sending notes.pdf to Bob: 42 %` or `Receiving notes.pdf from Ada: done`. */
export function describeTransfer(transfer: FileTransferView, peers: PeerView[]): string {
  const peer = peers.find((p) => p.id === transfer.peerId)?.name || 'a peer';
  const what = transfer.direction === 'send' ? `Sending ${transfer.name} to ${peer}` : `Receiving ${transfer.name} from ${peer}`;
  const percent = transfer.size === 0 ? 100 : Math.floor((transfer.bytes / transfer.size) * 100);
  const state = {
    offered: 'waiting',
    sending: `${percent} %`,
    confirming: 'checking',
    receiving: `${percent} %`,
    done: 'done',
    cancelled: transfer.cancelledBy === 'local' ? 'cancelled by you' : 'cancelled by the other side',
    failed: transfer.error ? `failed: ${ERRORS[transfer.error]}` : 'failed',
  }[transfer.status];
  return `${what}: ${state}`;
}

/** Whether the transfer can still be cancelled (it has not ended). */
export const isTransferActive = (transfer: FileTransferView): boolean => !['done', 'cancelled', 'failed'].includes(transfer.status);

/** Who "Send file" offers a file to: every peer whose data channel is open. */
export const fileRecipients = (peers: PeerView[]): string[] => peers.filter((peer) => peer.dataChannelOpen).map((peer) => peer.id);
