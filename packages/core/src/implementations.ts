/**
 * The side effects a call needs, injected so the same statechart runs in a browser (the defaults)
 * and in Node (werift's RTCPeerConnection, the `ws` package's WebSocket, fake media in tests).
 */

/** The subset of the browser `WebSocket` the signaling actor uses; `ws` and browsers both satisfy it. */
export interface WebSocketLike {
  readonly readyState: number;
  send(data: string): void;
  close(code?: number, reason?: string): void;
  onopen: ((event: unknown) => void) | null;
  onmessage: ((event: { data: unknown }) => void) | null;
  onclose: ((event: { code: number; reason: string }) => void) | null;
  onerror: ((event: unknown) => void) | null;
}

/** A camera, microphone or speaker as `enumerateDevices()` lists it. */
export type DeviceInfo = Pick<MediaDeviceInfo, 'deviceId' | 'groupId' | 'kind' | 'label'>;

export interface Implementations {
  /** Build an RTCPeerConnection. Browser default: `new RTCPeerConnection(config)`; Node: werift's. */
  createPeerConnection(config: RTCConfiguration): RTCPeerConnection;
  /** Browser default: `navigator.mediaDevices.getUserMedia`. */
  getUserMedia(constraints: MediaStreamConstraints): Promise<MediaStream>;
  /** Browser default: `navigator.mediaDevices.getDisplayMedia`. */
  getDisplayMedia(options: DisplayMediaStreamOptions): Promise<MediaStream>;
  /** Browser default: `new WebSocket(url)`. */
  createWebSocket(url: string): WebSocketLike;
  /**
   * Calls `onChange` whenever the device's network changes (back online, another interface); returns
   * the unsubscribe function. Browser default: `online` events and `navigator.connection` `change`;
   * Node: nothing (ICE's own timeouts and restarts still apply).
   */
  watchNetwork(onChange: () => void): () => void;
  /**
   * Calls `onChange` with the media devices now and whenever they change; returns the unsubscribe
   * function. Browser default: `navigator.mediaDevices.enumerateDevices()` at once and on every
   * `devicechange`; Node (no `navigator.mediaDevices`): never called.
   */
  watchDevices(onChange: (devices: DeviceInfo[]) => void): () => void;
}
