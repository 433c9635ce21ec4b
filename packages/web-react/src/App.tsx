import type { RoomHandle } from '@peerchart/core';
import { useCallback, useEffect, useRef, useState } from 'react';
import {
  callHref,
  joinRoom,
  loadBrowserInspector,
  readCallOptions,
  type BrowserInspector,
  type LobbyChoice,
} from '../../web-shared/src/index';
import { CallScreen } from './components/CallScreen';
import { LobbyForm } from './components/LobbyForm';

const initial = readCallOptions(location.href);

export function App() {
  const [room, setRoom] = useState<RoomHandle | null>(null);
  const [starting, setStarting] = useState(false);
  // One inspector per page, kept across rejoins.
  const inspector = useRef<Promise<BrowserInspector | null> | null>(null);
  const [openInspector, setOpenInspector] = useState<(() => void) | null>(null);

  const start = useCallback(async () => {
    const options = readCallOptions(location.href);
    if (options.room === null) return;
    setStarting(true);
    // An inspector that fails to load must not keep anyone out of the call.
    if (options.inspect) inspector.current ??= loadBrowserInspector().catch(() => null);
    const loaded = await inspector.current;
    setOpenInspector(() => loaded?.open ?? null);
    setRoom(joinRoom({ ...options, room: options.room }, loaded ? { inspect: loaded.inspect } : {}));
    setStarting(false);
  }, []);

  useEffect(() => {
    void start();
  }, [start]);

  // Closing the tab leaves at once, so the others see us go without waiting for a timeout.
  useEffect(() => {
    if (!room) return;
    const leave = () => void room.leave();
    addEventListener('pagehide', leave);
    return () => removeEventListener('pagehide', leave);
  }, [room]);

  const onJoin = (choice: LobbyChoice) => {
    history.pushState(null, '', callHref(location.href, choice));
    void start();
  };

  return (
    <main className="pc-app">
      {room && openInspector && (
        <button type="button" className="pc-inspect" onClick={openInspector}>
          Open inspector
        </button>
      )}
      {room ? (
        <CallScreen key={room.actor.sessionId} room={room} onRejoin={() => void start()} />
      ) : starting ? (
        <p className="pc-state">Starting…</p>
      ) : (
        <LobbyForm room={initial.room ?? ''} name={initial.name} receiveOnly={initial.receiveOnly} onJoin={onJoin} />
      )}
    </main>
  );
}
