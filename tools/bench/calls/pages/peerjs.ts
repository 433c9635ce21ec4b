/** PeerJS with peerjs-server: one Peer per page, each call a MediaConnection; `iceServers: []`. */
import './instrument.js';
import { Peer, type MediaConnection } from 'peerjs';
import { expose, localMedia, marks, removeRemote, showRemote } from './marks.js';

let local: MediaStream;
let peer: Peer;
let otherId = '';
let current: MediaConnection | undefined;
const errors: string[] = [];

function wire(call: MediaConnection) {
  current = call;
  call.on('stream', (stream) => showRemote(stream));
  call.on('error', (error) => errors.push(String(error)));
}

expose(
  {
    async setup(options) {
      local = await localMedia();
      otherId = String(options.otherId);
      peer = new Peer(String(options.id), {
        host: '127.0.0.1',
        port: Number(options.port),
        path: '/',
        key: 'peerjs',
        secure: false,
        debug: 0,
        config: { iceServers: [] },
      });
      peer.on('error', (error) => errors.push(String(error)));
      peer.on('call', (call) => {
        wire(call);
        call.answer(local);
      });
      await new Promise<void>((resolve, reject) => {
        peer.once('open', () => resolve());
        peer.once('error', reject);
      });
    },
    async call() {
      marks.mark('call');
      wire(peer.call(otherId, local));
    },
    async hangup() {
      current?.close();
      current = undefined;
      removeRemote();
      marks.reset();
    },
  },
  errors,
);
