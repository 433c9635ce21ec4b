import type { RoomHandle } from '@peerchart/core';
import { useCallback, useEffect, useState } from 'react';
import { callHref, joinRoom, loadBrowserInspector, readCallOptions, type LobbyChoice } from '../../web-shared/src/index';
import { CallScreen } from './components/CallScreen';
import { LobbyForm } from './components/LobbyForm';

const initial = readCallOptions(location.href);

export function App() {
  const [room, setRoom] = useState<RoomHandle | null>(null);
  const [starting, setStarting] = useState(false);

  const start = useCallback(async () => {
    const options = readCallOptions(location.href);
    if (options.room === null) return;
    setStarting(true);
    // A blocked inspector popup must not keep anyone out of the call.
    const inspect = options.inspect ? await loadBrowserInspector().catch(() => undefined) : undefined;
    setRoom(joinRoom({ ...options, room: options.room }, inspect ? { inspect } : {}));
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
