import { fromCallback } from 'xstate';
import type { Implementations } from '../implementations.js';

export type NetworkChangedEvent = { type: 'NETWORK.CHANGED' };

/**
 * Reports the device's network changing (back online, another interface or connection type) as
 * `NETWORK.CHANGED`, so the room restarts ICE at once instead of waiting for ICE's own timeouts.
 */
export const networkWatcher = fromCallback<NetworkChangedEvent, { watchNetwork: Implementations['watchNetwork'] }>(({ input, sendBack }) =>
  input.watchNetwork(() => sendBack({ type: 'NETWORK.CHANGED' } satisfies NetworkChangedEvent)),
);

/** The browser's signals: `online` on window, and `change` on `navigator.connection` where it exists. */
export function watchBrowserNetwork(onChange: () => void): () => void {
  if (typeof window === 'undefined') return () => {};
  const connection = (navigator as { connection?: EventTarget }).connection;
  window.addEventListener('online', onChange);
  connection?.addEventListener('change', onChange);
  return () => {
    window.removeEventListener('online', onChange);
    connection?.removeEventListener('change', onChange);
  };
}
