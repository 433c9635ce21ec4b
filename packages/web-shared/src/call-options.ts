/**
 * What a shell reads from its own URL: which room to join, as whom, through which signaling
 * endpoint, and the switches `?join`, `?receiveOnly`, `?relay` and `?inspect`. Both shells call this, so a link
 * works the same in either.
 */
export interface CallOptions {
  /** `?room=`; null shows the lobby. */
  room: string | null;
  /** `?name=`; empty lets the room pick a default. */
  name: string;
  /** `?signal=` or the page's own origin at `/ws` (wss:// on https pages). */
  signalingUrl: string;
  /** `?join`: join at once instead of showing the pre-join screen (links for scripts and tests). */
  join: boolean;
  /** `?receiveOnly`: join without camera and microphone (at once: there is nothing to preview). */
  receiveOnly: boolean;
  /** `?relay`: relay-only mode, every path through the TURN server (no local address revealed). */
  relay: boolean;
  /** `?inspect`: attach the Stately inspector. */
  inspect: boolean;
}

/** A query switch is on when present without a value or with anything but `0`/`false`. */
function isOn(params: URLSearchParams, key: string): boolean {
  const value = params.get(key);
  return value !== null && value !== '0' && value.toLowerCase() !== 'false';
}

export function readCallOptions(href: string): CallOptions {
  const url = new URL(href);
  const params = url.searchParams;
  const room = params.get('room')?.trim() ?? '';
  const wsProtocol = url.protocol === 'https:' ? 'wss:' : 'ws:';
  return {
    room: room === '' ? null : room,
    name: params.get('name')?.trim() ?? '',
    signalingUrl: params.get('signal')?.trim() || `${wsProtocol}//${url.host}/ws`,
    join: isOn(params, 'join'),
    receiveOnly: isOn(params, 'receiveOnly'),
    relay: isOn(params, 'relay'),
    inspect: isOn(params, 'inspect'),
  };
}

/** What the lobby asks for. */
export interface LobbyChoice {
  room: string;
  name: string;
  receiveOnly: boolean;
}

/** The address of a call: the current page with the lobby's choice set (other switches kept). */
export function callHref(href: string, choice: LobbyChoice): string {
  const url = new URL(withName(href, choice.name));
  url.searchParams.set('room', choice.room.trim());
  if (choice.receiveOnly) url.searchParams.set('receiveOnly', '');
  else url.searchParams.delete('receiveOnly');
  return url.toString();
}

/** The address with `&name=` set to `name` (dropped when blank), e.g. the name a pre-join screen joined with. */
export function withName(href: string, name: string): string {
  const url = new URL(href);
  if (name.trim() === '') url.searchParams.delete('name');
  else url.searchParams.set('name', name.trim());
  return url.toString();
}
