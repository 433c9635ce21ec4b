/**
 * The side effects a call needs, injected so the same statechart runs in a browser (the defaults)
 * and in Node (werift's RTCPeerConnection, the `ws` package's WebSocket, fake media in tests).
 */

/**
 * An event handler slot that core fills in and the implementation calls. Declared through a method, so
 * that an implementation whose handlers take a richer event type (the `ws` package's, a browser's) fits.
 */
type Handler<E> = { handle(event: E): void }['handle'];

/** The subset of the browser `WebSocket` the signaling actor uses; `ws` and browsers both satisfy it. */
export interface WebSocketLike {
  readonly readyState: number;
  send(data: string): void;
  close(code?: number, reason?: string): void;
  onopen: Handler<unknown> | null;
  onmessage: Handler<{ data: unknown }> | null;
  onclose: Handler<{ code: number; reason: string }> | null;
  onerror: Handler<unknown> | null;
}

/** What core passes when it builds a connection. */
export interface PeerConnectionConfig {
  iceServers: RTCIceServer[];
  iceTransportPolicy: RTCIceTransportPolicy;
  bundlePolicy: RTCBundlePolicy;
}

/** A track and a stream as core hands them to a connection (which reads them; core does not). */
interface TrackLike {
  readonly kind: string;
}
interface StreamLike {
  readonly id: string;
}

/** What core uses of an RTCRtpSender. */
export interface RtpSenderLike {
  replaceTrack(track: TrackLike | null): Promise<void>;
}

/** What core uses of its negotiated RTCDataChannels (chat/control sends text; app data text and bytes). */
export interface DataChannelLike {
  readonly readyState: string;
  /** Bytes waiting in the send buffer, and the level that fires `bufferedamountlow`: the app data's backpressure. */
  readonly bufferedAmount: number;
  bufferedAmountLowThreshold: number;
  /** Set to `'arraybuffer'` on the app data channel (werift has none: it always hands over bytes). */
  binaryType?: string;
  send(data: string | ArrayBuffer | Uint8Array): void;
  close(): void;
  addEventListener(type: 'bufferedamountlow', listener: () => void): void;
  onopen?: ((event: Event) => void) | null;
  onclose?: ((event: Event) => void) | null;
  onmessage?: ((event: MessageEvent) => void) | null;
}

/**
 * The part of an RTCPeerConnection core uses, so that a browser's and werift's (Node) both fit without
 * a cast. Core also sets the standard `on*` handlers (`onicecandidate`, `ontrack`, `onnegotiationneeded`,
 * `onconnectionstatechange`, `oniceconnectionstatechange`, `onsignalingstatechange`) and expects the DOM's
 * event shapes in them.
 */
export interface PeerConnectionLike {
  readonly connectionState: RTCPeerConnectionState;
  readonly iceConnectionState: RTCIceConnectionState;
  readonly signalingState: RTCSignalingState;
  readonly localDescription: { readonly sdp: string } | null;
  /** Makes the offer or answer the signaling state calls for, and applies it (no description given). */
  setLocalDescription(description?: RTCSessionDescriptionInit): Promise<unknown>;
  /** The next offer gets new ICE credentials. */
  restartIce(): void;
  setRemoteDescription(description: RTCSessionDescriptionInit): Promise<void>;
  addIceCandidate(candidate?: RTCIceCandidateInit): Promise<void>;
  addTrack(track: TrackLike, ...streams: StreamLike[]): RtpSenderLike;
  removeTrack(sender: RtpSenderLike): void;
  createDataChannel(label: string, options: { negotiated: boolean; id: number }): DataChannelLike;
  /** Optional: without it, fresh ICE servers only reach connections made later. */
  setConfiguration?(configuration: { iceServers: RTCIceServer[] }): void;
  getConfiguration(): object;
  getStats(): Promise<{ values(): IterableIterator<unknown> }>;
  close(): unknown;
}

/** A camera, microphone or speaker as `enumerateDevices()` lists it. */
export type DeviceInfo = Pick<MediaDeviceInfo, 'deviceId' | 'groupId' | 'kind' | 'label'>;

/** The participants' audio levels (0..1) by id, and who speaks (an id, or null). */
export interface AudioLevels {
  levels: Record<string, number>;
  speaker: string | null;
}

export interface Implementations {
  /** Build an RTCPeerConnection. Browser default: `new RTCPeerConnection(config)`; Node: werift's. */
  createPeerConnection(config: PeerConnectionConfig): PeerConnectionLike;
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
  /**
   * Watches the participants' audio: `tracks()` gives the audio tracks to measure now, by participant id
   * (null: none, level 0); `onLevels` is called with every level (0..1) by id and who speaks (an id or
   * null) whenever one of them changed; returns the stop function. The view's `audioLevel`s and
   * `activeSpeakerId` come from it. No default: without it every level is 0 and nobody speaks (Node and
   * werift have no WebAudio). Browsers: `watchAudioLevels` from `@peerchart/core/dom` (WebAudio, ~8 Hz,
   * with hysteresis for the speaker); the React and Vue bindings pass it for you.
   */
  watchAudioLevels?(
    tracks: () => Record<string, MediaStreamTrack | null>,
    onLevels: (report: AudioLevels) => void,
  ): () => void;
}
