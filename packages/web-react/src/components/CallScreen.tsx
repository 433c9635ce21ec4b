import type { CreateRoomOptions } from '@peerchart/core';
import type { FileTransferView } from '@peerchart/core/files';
import { LocalVideo, useRoom } from '@peerchart/react';
import { useEffect, useState, useSyncExternalStore } from 'react';
import {
  activeSpeakerAttribute,
  audioLevelAttribute,
  awaitsJoin,
  callControls,
  fileRecipients,
  joinCommand,
  recoveryButtons,
  secondsUntil,
  startChat,
  startFileShare,
  switchDevice,
  withName,
  type Chat,
  type ChatEntry,
  type DevicePicker,
  type FileShare,
} from '../../../web-shared/src/index';
import { ChatPanel } from './ChatPanel';
import { DevicePickers } from './DevicePickers';
import { FileTransfers } from './FileTransfers';
import { PeerTile } from './PeerTile';
import { PreJoin } from './PreJoin';

// Before the chat starts: no messages (one array, as useSyncExternalStore wants the same snapshot each time).
const NO_MESSAGES: ChatEntry[] = [];
const noMessages = () => NO_MESSAGES;
const noSubscription = () => () => {};

/**
 * One room, for as long as this component is mounted (useRoom leaves on unmount). `onRejoin`: leaving
 * ends the room actor for good, so rejoining mounts a new CallScreen (the app's job).
 */
export function CallScreen({ options, onRejoin }: { options: CreateRoomOptions; onRejoin: () => void }) {
  const { view, send, actor, leave } = useRoom(options);
  // The speaker is the page's choice (core has no say in where sound plays): every PeerVideo gets it as sinkId.
  const [speaker, setSpeaker] = useState('');

  // A clock for the reconnect countdown.
  const [now, setNow] = useState(Date.now());
  useEffect(() => {
    const clock = setInterval(() => setNow(Date.now()), 1000);
    return () => clearInterval(clock);
  }, []);

  // "Send file": one share per room actor, stopped with it (running transfers are cancelled, download URLs revoked).
  const [share, setShare] = useState<FileShare | null>(null);
  const [transfers, setTransfers] = useState<FileTransferView[]>([]);
  useEffect(() => {
    if (!actor) return;
    const started = startFileShare(actor);
    setShare(started);
    const unsubscribe = started.subscribe(() => setTransfers(started.transfers()));
    return () => {
      unsubscribe();
      started.stop();
    };
  }, [actor]);

  // The chat: one per room actor, on the data API (core has no chat).
  const [chat, setChat] = useState<Chat | null>(null);
  useEffect(() => {
    if (!actor) return;
    const started = startChat(actor);
    setChat(started);
    return () => started.stop();
  }, [actor]);
  const messages = useSyncExternalStore(chat?.subscribe ?? noSubscription, chat?.entries ?? noMessages);

  // Closing the tab leaves at once, so the others see us go without waiting for a timeout.
  useEffect(() => {
    const onPageHide = () => void leave();
    addEventListener('pagehide', onPageHide);
    return () => removeEventListener('pagehide', onPageHide);
  }, [leave]);

  if (!view || !actor) return null;
  const local = view.local;
  // The pre-join screen, while the room waits for JOIN (the chart's state, not a flag here). Each new
  // snapshot makes a new view and so a render: the actor's snapshot is the view's.
  const beforeJoin = awaitsJoin(actor.getSnapshot());
  const pick = (picker: DevicePicker, deviceId: string) => {
    const command = switchDevice(picker.id, deviceId);
    if (command) send(command);
    else setSpeaker(deviceId);
  };
  const join = (name: string) => {
    // The URL keeps the name joined with, so a reload or Rejoin uses it.
    history.replaceState(history.state, '', withName(location.href, name));
    send(joinCommand(name));
  };
  const inCall = view.status !== 'left' && view.status !== 'failed';
  const countdown = view.signaling.nextRetryAt === null ? null : secondsUntil(view.signaling.nextRetryAt, now);

  return (
    <>
      <header className="pc-bar">
        <h1>Room {view.room}</h1>
        <p className="pc-state" data-testid="call-state" data-status={view.status} data-state-value={view.stateValue} data-self-id={view.selfId ?? undefined}>
          {view.statusText} <code>{view.stateValue}</code>
        </p>
      </header>

      {view.error ? (
        <section className="pc-error" data-testid="error" role="alert" data-error-code={view.error.code}>
          <p>{view.error.message}</p>
          {countdown !== null && <p data-testid="reconnect-countdown">Trying again in {countdown} s.</p>}
          <div className="pc-actions">
            {recoveryButtons(view.error).map((b) => (
              <button key={b.action} type="button" onClick={() => send(b.command)}>
                {b.label}
              </button>
            ))}
          </div>
        </section>
      ) : (
        countdown !== null && (
          <p className="pc-state" data-testid="reconnect-countdown">
            Connection lost. Trying again in {countdown} s.{' '}
            <button type="button" onClick={() => send({ type: 'SIGNALING.RETRY_NOW' })}>
              Retry
            </button>
          </p>
        )
      )}

      {beforeJoin ? (
        <PreJoin view={view} speaker={speaker} onPick={pick} onJoin={join} />
      ) : (
        <>
          <section className="pc-stage" aria-label="Videos">
            <figure
              className="pc-tile"
              data-testid="local-tile"
              data-audio-level={audioLevelAttribute(local.audioLevel)}
              data-active-speaker={activeSpeakerAttribute(view, view.selfId)}
            >
              <LocalVideo data-testid="local-video" stream={local.stream} />
              {local.screenStream && <LocalVideo data-testid="local-screen" className="pc-screen" stream={local.screenStream} />}
              <figcaption>
                <span className="pc-name">You{view.selfName ? ` (${view.selfName})` : ''}</span>
                {local.receiveOnly && <span className="pc-badge">Receive only</span>}
                {local.micMuted && <span className="pc-badge">Muted</span>}
                {local.cameraOff && <span className="pc-badge">Camera off</span>}
                {local.sharingScreen && <span className="pc-badge">Sharing screen</span>}
              </figcaption>
            </figure>
            {view.peers.map((peer) => (
              <PeerTile
                key={peer.id}
                actor={actor}
                peerId={peer.id}
                onCommand={send}
                sinkId={speaker}
                activeSpeaker={activeSpeakerAttribute(view, peer.id) ?? false}
              />
            ))}
          </section>

          {inCall ? (
            <nav className="pc-controls" aria-label="Call controls">
              {callControls(view).map((control) => (
                <button
                  key={control.id}
                  type="button"
                  className={control.danger ? 'pc-danger' : undefined}
                  disabled={control.disabled}
                  aria-pressed={control.pressed}
                  onClick={() => send(control.command)}
                >
                  {control.label}
                </button>
              ))}
              <DevicePickers local={local} speaker={speaker} onPick={pick} />
            </nav>
          ) : (
            view.status === 'left' && (
              <nav className="pc-controls" aria-label="Call controls">
                <button type="button" onClick={onRejoin}>
                  Rejoin
                </button>
              </nav>
            )
          )}

          <ChatPanel
            messages={messages}
            canSend={view.peers.some((p) => p.dataChannelOpen)}
            onSend={(text) => chat?.send(text)}
            onSendFile={(file) => share?.send(file, fileRecipients(view.peers))}
            files={share && <FileTransfers transfers={transfers} peers={view.peers} share={share} />}
          />
        </>
      )}
    </>
  );
}
