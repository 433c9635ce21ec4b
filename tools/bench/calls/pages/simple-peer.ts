/**
 * simple-peer over the bare relay, with its shipped browser build (loaded as a classic script before
 * this module, as the global `SimplePeer`). Trickle ICE on, `iceServers: []` like everyone else.
 */
import './instrument.js';
import { expose, localMedia, marks, removeRemote, showRemote } from './marks.js';
import { openRelay } from './relay-socket.js';

interface SimplePeerInstance {
  signal(data: unknown): void;
  on(event: 'signal', listener: (data: unknown) => void): void;
  on(event: 'stream', listener: (stream: MediaStream) => void): void;
  on(event: 'error', listener: (error: Error) => void): void;
  destroy(): void;
}
declare const SimplePeer: new (options: Record<string, unknown>) => SimplePeerInstance;

let local: MediaStream;
let send: (message: unknown) => void = () => undefined;
let peer: SimplePeerInstance | undefined;
let currentCall = -1;
const errors: string[] = [];

function createPeer(callNo: number, initiator: boolean): SimplePeerInstance {
  currentCall = callNo;
  const created = new SimplePeer({ initiator, stream: local, trickle: true, config: { iceServers: [] } });
  created.on('signal', (signal) => send({ call: callNo, signal }));
  created.on('stream', (stream) => showRemote(stream));
  created.on('error', (error) => errors.push(String(error)));
  peer = created;
  return created;
}

function onMessage(message: Record<string, unknown>) {
  const callNo = Number(message.call);
  if (callNo !== currentCall) createPeer(callNo, false);
  peer?.signal(message.signal);
}

expose(
  {
    async setup(options) {
      local = await localMedia();
      send = await openRelay(String(options.relayUrl), onMessage);
    },
    async call(callNo) {
      marks.mark('call');
      createPeer(callNo, true);
    },
    async hangup() {
      peer?.destroy();
      peer = undefined;
      removeRemote();
      marks.reset();
    },
  },
  errors,
);
