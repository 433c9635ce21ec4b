import type { CreateRoomOptions } from '@peerchart/core';
import { useCallback, useEffect, useRef, useState } from 'react';
import {
  callHref,
  loadBrowserInspector,
  readCallOptions,
  roomOptions,
  type BrowserInspector,
  type LobbyChoice,
} from '../../web-shared/src/index';
import { CallScreen } from './components/CallScreen';
import { LobbyForm } from './components/LobbyForm';

const initial = readCallOptions(location.href);

/** The call to show: its room options, and a number that changes for each new room (the CallScreen's key). */
interface Call {
  options: CreateRoomOptions;
  session: number;
}

export function App() {
  const [call, setCall] = useState<Call | null>(null);
  const [starting, setStarting] = useState(false);
  // One inspector per page, kept across rejoins.
  const inspector = useRef<Promise<BrowserInspector | null> | null>(null);
  const [openInspector, setOpenInspector] = useState<(() => void) | null>(null);

  /** Starts the room the URL names: behind the pre-join screen unless `joinNow` (Rejoin) or the URL says to join at once. */
  const start = useCallback(async (joinNow = false) => {
    const options = readCallOptions(location.href);
    if (options.room === null) return;
    setStarting(true);
    // An inspector that fails to load must not keep anyone out of the call.
    if (options.inspect) inspector.current ??= loadBrowserInspector().catch(() => null);
    const loaded = await inspector.current;
    setOpenInspector(() => loaded?.open ?? null);
    // A new key mounts a new CallScreen, whose useRoom creates a new room (a left room is final).
    const room = roomOptions({ ...options, room: options.room, join: options.join || joinNow }, loaded ? { inspect: loaded.inspect } : {});
    setCall((previous) => ({ options: room, session: (previous?.session ?? 0) + 1 }));
    setStarting(false);
  }, []);

  useEffect(() => {
    void start();
  }, [start]);

  const onContinue = (choice: LobbyChoice) => {
    history.pushState(null, '', callHref(location.href, choice));
    void start();
  };

  return (
    <main className="pc-app">
      {call && openInspector && (
        <button type="button" className="pc-inspect" onClick={openInspector}>
          Open inspector
        </button>
      )}
      {call ? (
        <CallScreen key={call.session} options={call.options} onRejoin={() => void start(true)} />
      ) : starting ? (
        <p className="pc-state">Starting…</p>
      ) : (
        <LobbyForm room={initial.room ?? ''} name={initial.name} receiveOnly={initial.receiveOnly} onContinue={onContinue} />
      )}
    </main>
  );
}
