import type { SocketEvent } from '../../actors/signaling-socket.js';
import type { WebSocketLike } from '../../implementations.js';
import type { ClientMessage, ServerMessage } from '../../protocol/index.js';
import type { SignalingView } from '../../view.js';

export interface SignalingTiming {
  /** First reconnect delay; doubles per failed attempt up to `backoffMaxMs`, then jittered to 50–100 %. */
  backoffBaseMs: number;
  backoffMaxMs: number;
  /** How long opening the socket plus the hello/welcome exchange may take before it counts as failed. */
  connectTimeoutMs: number;
  /**
   * How many outgoing messages are kept while the socket is not open. Past it the OLDEST is dropped
   * and reported (`SIGNALING.DROPPED`): newer signaling supersedes older (a later offer or candidate
   * matters more), and the peers recover lost ones with an ICE restart.
   */
  queueLimit: number;
}

export const DEFAULT_SIGNALING_TIMING: SignalingTiming = {
  backoffBaseMs: 500,
  backoffMaxMs: 15_000,
  connectTimeoutMs: 10_000,
  queueLimit: 64,
};

export interface SignalingInput {
  url: string;
  createWebSocket(url: string): WebSocketLike;
  timing?: Partial<SignalingTiming>;
  /** Jitter source, injectable for tests. */
  random?: () => number;
}

export type SignalingEvent =
  | SocketEvent
  | { type: 'SIGNALING.SEND'; message: ClientMessage }
  | { type: 'SIGNALING.RETRY_NOW' }
  | { type: 'SIGNALING.CLOSE' };

/**
 * A server message as an event of its own type (`SERVER.joined` carries a `joined` message), so a
 * listener's transitions on it see the message's own fields.
 */
export type ServerEvent = {
  [T in ServerMessage['type']]: { type: `SERVER.${T}`; message: Extract<ServerMessage, { type: T }> };
}[ServerMessage['type']];

/** What the machine tells whoever listens (`actor.on(...)`); the room bridges these to itself. */
export type SignalingEmitted =
  | { type: 'SIGNALING.STATUS'; view: SignalingView }
  /** `rooms`: the rooms the server restored (each followed by its `joined`); see `welcome` in the protocol. */
  | { type: 'SIGNALING.WELCOME'; peerId: string; resumed: boolean; rooms: string[] }
  | ServerEvent
  | { type: 'SIGNALING.DROPPED'; message: ClientMessage; total: number };

export interface SignalingContext extends Pick<SignalingInput, 'url' | 'createWebSocket'> {
  timing: SignalingTiming;
  random: () => number;
  peerId: string | null;
  resumeToken: string | null;
  /** Consecutive failed connection attempts; 0 once welcomed. */
  attempt: number;
  retryDelayMs: number;
  nextRetryAt: number | null;
  queue: ClientMessage[];
  /** Messages dropped so far (queue overflow or a lost identity). */
  dropped: number;
}
