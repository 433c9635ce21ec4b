import type { DeviceInfo } from '../implementations.js';

/**
 * Stand-ins for browser media objects. Node has no cameras, microphones or screens, and a permission
 * prompt cannot be denied outside a browser, so media tests fake getUserMedia/getDisplayMedia with these.
 */
export class FakeTrack extends EventTarget {
  enabled = true;
  readyState: 'live' | 'ended' = 'live';
  constructor(
    readonly kind: 'audio' | 'video',
    readonly label: string = kind,
    readonly deviceId: string = `${kind}-default`,
  ) {
    super();
  }
  getSettings() {
    return { deviceId: this.deviceId };
  }
  stop(): void {
    this.readyState = 'ended';
  }
  /** What the browser does when the device goes away or its "Stop sharing" button is pressed. */
  end(): void {
    this.readyState = 'ended';
    this.dispatchEvent(new Event('ended'));
  }
}

export class FakeStream {
  constructor(private tracks: FakeTrack[]) {}
  getTracks() {
    return [...this.tracks];
  }
  getAudioTracks() {
    return this.tracks.filter((t) => t.kind === 'audio');
  }
  getVideoTracks() {
    return this.tracks.filter((t) => t.kind === 'video');
  }
  addTrack(track: FakeTrack) {
    this.tracks.push(track);
  }
  removeTrack(track: FakeTrack) {
    this.tracks = this.tracks.filter((t) => t !== track);
  }
}

/** A DOMException-shaped rejection, as getUserMedia produces. */
export const mediaError = (name: string) => Object.assign(new Error(`${name} (fake)`), { name });

/** A fake getUserMedia that answers each call from `outcomes` in turn (a stream or an error name). */
export function fakeGetUserMedia(...outcomes: ('ok' | string)[]) {
  const calls: MediaStreamConstraints[] = [];
  const streams: FakeStream[] = [];
  const getUserMedia = async (constraints: MediaStreamConstraints): Promise<MediaStream> => {
    calls.push(constraints);
    const outcome = outcomes.length > 1 ? outcomes.shift() : outcomes[0];
    if (outcome !== 'ok') throw mediaError(outcome ?? 'NotFoundError');
    const tracks: FakeTrack[] = [];
    // `{ deviceId: { exact } }` opens that device; otherwise the kind's default one.
    const deviceOf = (asked: MediaStreamConstraints['audio']) =>
      typeof asked === 'object' ? ((asked.deviceId as { exact?: string } | undefined)?.exact ?? undefined) : undefined;
    if (constraints.audio) tracks.push(new FakeTrack('audio', 'audio', deviceOf(constraints.audio)));
    if (constraints.video) tracks.push(new FakeTrack('video', `camera ${calls.length}`, deviceOf(constraints.video)));
    const stream = new FakeStream(tracks);
    streams.push(stream);
    return stream as unknown as MediaStream;
  };
  return { getUserMedia, calls, streams };
}

export function fakeGetDisplayMedia() {
  const streams: FakeStream[] = [];
  const getDisplayMedia = async (): Promise<MediaStream> => {
    const stream = new FakeStream([new FakeTrack('video', 'screen')]);
    streams.push(stream);
    return stream as unknown as MediaStream;
  };
  return { getDisplayMedia, streams };
}

/** A device as `enumerateDevices()` lists it. */
export const fakeDevice = (kind: MediaDeviceKind, deviceId: string): DeviceInfo => ({ kind, deviceId, groupId: deviceId, label: deviceId });

/** The default devices fakeGetUserMedia opens, one of each kind (plus the default speaker). */
export const DEFAULT_DEVICES: DeviceInfo[] = [
  fakeDevice('audioinput', 'audio-default'),
  fakeDevice('videoinput', 'video-default'),
  fakeDevice('audiooutput', 'speaker-default'),
];

/** A fake `watchDevices`: lists `devices` on subscribe; `change(list)` is a devicechange (a device plugged or unplugged). */
export function fakeDevices(devices: DeviceInfo[] = DEFAULT_DEVICES) {
  let current = devices;
  const listeners = new Set<(devices: DeviceInfo[]) => void>();
  const watchDevices = (onChange: (devices: DeviceInfo[]) => void) => {
    listeners.add(onChange);
    onChange(current);
    return () => listeners.delete(onChange);
  };
  const change = (next: DeviceInfo[]) => {
    current = next;
    listeners.forEach((listener) => listener(next));
  };
  return { watchDevices, change, listeners };
}
