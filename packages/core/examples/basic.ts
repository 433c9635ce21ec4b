import { createRoom, type Implementations, type PeerData, type ReceivedPeerData, type RoomView } from '@peerchart/core';

/** Joins a call as `name`, hands every new view to `render`, and returns what a UI needs. */
export function startCall(name: string, render: (view: RoomView) => void, implementations?: Partial<Implementations>) {
  const room = createRoom({
    signalingUrl: 'wss://peerchart.example/ws',
    room: 'team-standup',
    name,
    media: { audio: true, video: true },
    // Leave this out in a browser: its own RTCPeerConnection, getUserMedia and WebSocket are used.
    implementations,
  });

  const unsubscribe = room.subscribe((view) => {
    render(view);
    // Every error says what happened and offers ways out, e.g. ['retry', 'audio-only', 'receive-only'].
    if (view.error) console.info(view.error.message, view.error.actions);
  });

  return {
    view: () => room.getView(),
    // A message to every peer (a JSON value or bytes), and theirs as they come: see "Send data".
    send: (data: PeerData) => room.send({ type: 'DATA.SEND', data }),
    onMessage: (listener: (from: string, data: ReceivedPeerData) => void) => room.onData(({ from, data }) => listener(from, data)),
    toggleMic: () => room.send({ type: room.getView().local.micMuted ? 'MIC.UNMUTE' : 'MIC.MUTE' }),
    hangUp: async () => {
      await room.leave(); // bye to every peer, socket closed, camera and microphone released
      unsubscribe();
    },
  };
}
