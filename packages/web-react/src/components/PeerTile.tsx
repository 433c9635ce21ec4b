import type { RoomCommand } from '@peerchart/core';
import { PeerVideo, usePeer, type RoomActor } from '@peerchart/react';
import { memo } from 'react';
import { audioLevelAttribute, recoveryButtons } from '../../../web-shared/src/index';
import { PeerStats } from './PeerStats';

interface Props {
  actor: RoomActor;
  peerId: string;
  onCommand: (command: RoomCommand) => void;
  /** The speaker chosen in the call controls ('' = default). */
  sinkId: string;
  /** This peer is the room's active speaker (`view.activeSpeakerId`): its tile is highlighted. */
  activeSpeaker: boolean;
}

/** One peer's tile. Memoized, and usePeer re-renders it only when this peer changes, not with the whole room. */
export const PeerTile = memo(function PeerTile({ actor, peerId, onCommand, sinkId, activeSpeaker }: Props) {
  const peer = usePeer(actor, peerId);
  if (!peer) return null;
  return (
    <figure
      className="pc-tile"
      data-testid="peer-tile"
      data-peer-id={peer.id}
      data-connection-state={peer.connectionState}
      data-peer-status={peer.status}
      data-audio-level={audioLevelAttribute(peer.audioLevel)}
      data-active-speaker={activeSpeaker || undefined}
    >
      <PeerVideo data-testid="remote-video" data-peer-id={peer.id} stream={peer.stream} sinkId={sinkId} />
      {peer.screenStream && <PeerVideo data-testid="remote-screen" className="pc-screen" data-peer-id={peer.id} stream={peer.screenStream} muted />}
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
});
