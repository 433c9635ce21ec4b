/* global process, console, URL */
/**
 * The baseline: the least a WebSocket relay for rooms of two can do in one Node process with `ws`.
 * No validation, no limits, no ids — a client connects to `/?room=<name>` and every frame it sends
 * goes verbatim to the other member. Plain JavaScript so it runs on bare `node` like the peers' servers:
 * `PORT=4000 node bare-relay.mjs`.
 */
import { WebSocketServer } from 'ws';

const port = Number(process.env.PORT ?? 4000);
/** @type {Map<string, import('ws').WebSocket>} a room's first member, until the second arrives */
const waiting = new Map();
/** @type {WeakMap<import('ws').WebSocket, import('ws').WebSocket>} */
const partners = new WeakMap();
const wss = new WebSocketServer({ host: '127.0.0.1', port, perMessageDeflate: false, maxPayload: 64 * 1024 });

wss.on('connection', (ws, request) => {
  const room = new URL(request.url ?? '/', 'http://relay').searchParams.get('room') ?? '';
  const first = waiting.get(room);
  if (first) {
    waiting.delete(room);
    partners.set(first, ws);
    partners.set(ws, first);
  } else {
    waiting.set(room, ws);
  }
  ws.on('message', (data, isBinary) => partners.get(ws)?.send(data, { binary: isBinary }));
  ws.on('close', () => {
    if (waiting.get(room) === ws) waiting.delete(room);
    partners.get(ws)?.close();
  });
  ws.on('error', () => ws.terminate());
});
wss.on('listening', () => console.log(`bare relay on ws://127.0.0.1:${port}`));
// Exit normally on a signal so that `node --cpu-prof` can write its profile.
for (const signal of ['SIGTERM', 'SIGINT']) process.on(signal, () => process.exit(0));
