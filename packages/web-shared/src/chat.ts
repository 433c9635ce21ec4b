import { selectRoomView, type RoomHandle } from '@peerchart/core';

/**
 * The demo's chat: an app of the data API, as any app would build it (core has no chat). Each message is one JSON
 * value `{ type: 'chat', id, text, at }` sent with `DATA.SEND` to every peer (docs/protocol.md, "The demo's chat");
 * every other data message (file transfer's, the app's own) is not chat and is left alone.
 */

/** What the wire message allows, and how much of the log a page keeps. */
export const CHAT_LIMITS = { id: 64, text: 4_000, log: 200 } as const;

/** A type, not an interface: a JSON value for `DATA.SEND`. */
export type ChatMessage = {
  type: 'chat';
  /** 1–64 characters, unique per sender. */
  id: string;
  /** 1–4,000 characters. */
  text: string;
  /** The sender's clock, epoch ms. */
  at: number;
};

export interface ChatEntry {
  /** Unique within the log: the author's peer id and the author's message id, as `from:id`. */
  id: string;
  /** Peer id of the author; the room's `selfId` for one's own messages. */
  from: string;
  fromName: string;
  text: string;
  at: number;
  self: boolean;
}

export interface Chat {
  /** The log, oldest first, at most `CHAT_LIMITS.log` entries; the same array until it changes (a snapshot). */
  entries(): ChatEntry[];
  /** Calls `listener` after each change of the log; returns the unsubscribe. */
  subscribe(listener: () => void): () => void;
  /** Sends `text` (trimmed, cut at `CHAT_LIMITS.text`) to every peer and logs it; blank text, or before joining, does nothing. */
  send(text: string): void;
  /** Stops listening to the room (the log stays as it is). */
  stop(): void;
}

/** The room as the chat needs it: a `RoomHandle`'s `actor` (or the bindings' `actor`). */
export type ChatRoom = Pick<RoomHandle['actor'], 'send' | 'on' | 'getSnapshot'>;

const KEYS = ['at', 'id', 'text', 'type'];
const isString = (value: unknown, max: number): value is string => typeof value === 'string' && value.length >= 1 && value.length <= max;

/** A chat message as sent, or null for anything else (other data, or a chat message of the wrong shape). Never throws. */
export function parseChatMessage(data: unknown): ChatMessage | null {
  if (typeof data !== 'object' || data === null) return null;
  const { type, id, text, at } = data as Record<string, unknown>;
  if (type !== 'chat' || !isString(id, CHAT_LIMITS.id) || !isString(text, CHAT_LIMITS.text)) return null;
  if (typeof at !== 'number' || !Number.isFinite(at)) return null;
  // Exactly the four fields, as docs/protocol.md says (an array or an ArrayBuffer of bytes fails here too).
  if (Object.keys(data).sort().join() !== KEYS.join()) return null;
  return { type, id, text, at };
}

/** A random prefix per chat, so message ids stay unique per sender even when a page starts a second chat on one room. */
function newSession(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(6));
  return Array.from(bytes, (byte) => byte.toString(16).padStart(2, '0')).join('');
}

export function startChat(room: ChatRoom): Chat {
  const session = newSession();
  let sent = 0;
  let log: ChatEntry[] = [];
  const listeners = new Set<() => void>();

  const add = (entry: ChatEntry) => {
    if (log.some((known) => known.id === entry.id)) return; // the same message twice
    log = [...log, entry].slice(-CHAT_LIMITS.log);
    listeners.forEach((listener) => listener());
  };

  const stopData = room.on('data', ({ from, data }) => {
    const message = parseChatMessage(data);
    if (!message) return;
    // The name is the one the room knows the sender by; a message from no member of the view is not shown.
    const peer = selectRoomView(room.getSnapshot()).peers.find((p) => p.id === from);
    if (!peer) return;
    add({ id: `${from}:${message.id}`, from, fromName: peer.name, text: message.text, at: message.at, self: false });
  });

  return {
    entries: () => log,
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    send(raw) {
      const text = raw.trim().slice(0, CHAT_LIMITS.text);
      const { selfId, selfName } = selectRoomView(room.getSnapshot());
      if (!text || !selfId) return;
      const message: ChatMessage = { type: 'chat', id: `${session}-${++sent}`, text, at: Date.now() };
      room.send({ type: 'DATA.SEND', data: message });
      add({ id: `${selfId}:${message.id}`, from: selfId, fromName: selfName, text, at: message.at, self: true });
    },
    stop: () => stopData.unsubscribe(),
  };
}
