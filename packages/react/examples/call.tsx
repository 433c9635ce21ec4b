import { LocalVideo, PeerVideo, useRoom } from '@peerchart/react';

export function Call({ room, name }: { room: string; name: string }) {
  const { view, send, leave } = useRoom({
    signalingUrl: `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/ws`,
    room,
    name,
  });
  if (!view) return null; // only before the first paint (and on the server)

  return (
    <main>
      <p>{view.statusText}</p>
      {view.error && <p role="alert">{view.error.message}</p>}
      <LocalVideo stream={view.local.stream} />
      {view.peers.map((peer) => (
        <figure key={peer.id}>
          <PeerVideo stream={peer.stream} />
          <figcaption>{peer.name}: {peer.statusText}</figcaption>
        </figure>
      ))}
      <button onClick={() => send({ type: view.local.micMuted ? 'MIC.UNMUTE' : 'MIC.MUTE' })}>
        {view.local.micMuted ? 'Unmute' : 'Mute'}
      </button>
      <button onClick={() => void leave()}>Leave</button>
    </main>
  );
}
