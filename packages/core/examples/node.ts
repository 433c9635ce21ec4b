import { createRoom } from '@peerchart/core';
import { RTCPeerConnection } from 'werift';
import WebSocket from 'ws';

/** Joins `room` from Node as a receive-only participant (a bot, a recorder, a test). */
export function joinFromNode(signalingUrl: string, room: string) {
  return createRoom({
    signalingUrl,
    room,
    name: 'bot',
    media: false, // receive-only: no getUserMedia needed
    implementations: {
      createPeerConnection: (config) => new RTCPeerConnection(config),
      createWebSocket: (url) => new WebSocket(url),
    },
  });
}
