import type { PeerView, RoomCommand } from '@peerchart/core';
import { recoveryButtons } from '../../../web-shared/src/index';
import { MediaVideo } from './MediaVideo';
import { PeerStats } from './PeerStats';

export function PeerTile({ peer, onCommand }: { peer: PeerView; onCommand: (command: RoomCommand) => void }) {
  return (
    <figure className="pc-tile" data-testid="peer-tile" data-peer-id={peer.id} data-connection-state={peer.connectionState} data-peer-status={peer.status}>
      <MediaVideo testid="remote-video" peerId={peer.id} stream={peer.stream} />
      {peer.screenStream && <MediaVideo testid="remote-screen" className="pc-screen" peerId={peer.id} stream={peer.screenStream} muted />}
      <figcaption>
        <span className="pc-name" data-testid="peer-name">
          {peer.name}
        </span>
        <span data-testid="peer-status" data-state-value={peer.stateValue}>
          {peer.statusText} <code>{peer.stateValue}</code>
        </span>
        {peer.remoteAudioMuted && (
          <span className="pc-badge" data-testid="peer-mic-muted">
            Muted
          </span>
        )}
        {peer.remoteVideoOff && (
          <span className="pc-badge" data-testid="peer-camera-off">
            Camera off
          </span>
        )}
      </figcaption>
      {peer.error && (
        <div className="pc-tile-error" data-testid="peer-error" role="alert" data-error-code={peer.error.code}>
          <p>{peer.error.message}</p>
          <div className="pc-actions">
            {recoveryButtons(peer.error).map((b) => (
              <button key={b.action} type="button" onClick={() => onCommand(b.command)}>
                {b.label}
              </button>
            ))}
          </div>
        </div>
      )}
      <PeerStats peerId={peer.id} stats={peer.stats} />
    </figure>
  );
}
