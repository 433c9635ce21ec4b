/* global process, console, URL */
/**
 * The baseline's server in the lab: serves one page (`/raw.html` loading `/raw.js`, the bundled
 * `calls/pages/raw.ts`: a hand-written RTCPeerConnection call that, like simple-peer and PeerJS, never restarts
 * ICE) and relays WebSocket frames between the two members of a room (`/?room=NAME`), verbatim.
 * `HOST=203.0.113.1 PORT=8081 SCRIPT=/tmp/raw.js node raw-server.mjs`
 */
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { WebSocketServer } from 'ws';

const host = process.env.HOST ?? '127.0.0.1';
const port = Number(process.env.PORT ?? 8081);
const script = readFileSync(process.env.SCRIPT ?? '', 'utf8');
const html = '<!doctype html><meta charset="utf-8"><title>raw</title><script type="module" src="/raw.js"></script>';

const server = createServer((request, response) => {
  const path = new URL(request.url ?? '/', 'http://page').pathname;
  if (path === '/raw.html') response.writeHead(200, { 'content-type': 'text/html' }).end(html);
  else if (path === '/raw.js') response.writeHead(200, { 'content-type': 'text/javascript' }).end(script);
  else response.writeHead(404).end();
});
/** @type {Map<string, import('ws').WebSocket>} */
const waiting = new Map();
/** @type {WeakMap<import('ws').WebSocket, import('ws').WebSocket>} */
const partners = new WeakMap();
const wss = new WebSocketServer({ server, perMessageDeflate: false, maxPayload: 64 * 1024 });
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
server.listen(port, host, () => console.log(`raw page server on http://${host}:${port}`));
for (const signal of ['SIGTERM', 'SIGINT']) process.on(signal, () => process.exit(0));
