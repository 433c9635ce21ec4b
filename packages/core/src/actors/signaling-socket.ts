import { fromCallback } from 'xstate';
import { parseServerMessage, type ClientMessage, type ProtocolError, type ServerMessage } from '../protocol/index.js';
import type { WebSocketLike } from '../implementations.js';

/** What the socket reports to the signaling machine. */
export type SocketEvent =
  | { type: 'SOCKET.OPEN' }
  | { type: 'SOCKET.MESSAGE'; message: ServerMessage }
  | { type: 'SOCKET.INVALID'; error: ProtocolError }
  | { type: 'SOCKET.CLOSED'; code: number; reason: string };

/** What the signaling machine asks of the socket. */
export type SocketCommand = { type: 'SOCKET.SEND'; message: ClientMessage };

export interface SignalingSocketInput {
  url: string;
  createWebSocket(url: string): WebSocketLike;
}

const OPEN = 1;
/** The close code browsers report for a connection that dropped without a close frame. */
const ABNORMAL_CLOSURE = 1006;

/** One WebSocket connection: the only place that touches a socket. Stopping the actor closes it. */
export const signalingSocket = fromCallback<SocketCommand, SignalingSocketInput, SocketEvent>(
  ({ input, sendBack, receive }) => {
    let socket: WebSocketLike;
    try {
      socket = input.createWebSocket(input.url);
    } catch (error) {
      // An invalid URL throws synchronously in browsers; report it as a failed connection.
      sendBack({ type: 'SOCKET.CLOSED', code: ABNORMAL_CLOSURE, reason: String(error) });
      return;
    }
    let closed = false;
    socket.onopen = () => sendBack({ type: 'SOCKET.OPEN' });
    socket.onmessage = (event) => {
      const parsed = parseServerMessage(event.data);
      sendBack(parsed.ok ? { type: 'SOCKET.MESSAGE', message: parsed.message } : { type: 'SOCKET.INVALID', error: parsed.error });
    };
    socket.onclose = (event) => {
      closed = true;
      sendBack({ type: 'SOCKET.CLOSED', code: event.code, reason: event.reason });
    };
    // An error is always followed by close, which carries the code. The handler stays after cleanup:
    // `ws` emits an error when closed while still connecting.
    socket.onerror = () => {};
    receive((command) => {
      if (socket.readyState === OPEN) socket.send(JSON.stringify(command.message));
    });
    return () => {
      socket.onopen = socket.onmessage = socket.onclose = null;
      if (!closed) socket.close(1000, 'closing');
    };
  },
);
