/**
 * werift (a WebRTC stack in TypeScript) as the `createPeerConnection` of Node tests: real ICE,
 * DTLS, SCTP and RTP over real UDP sockets on this machine. Its RTCPeerConnection exposes the
 * DOM's `on*` handlers, createOffer/createAnswer, set*Description, addIceCandidate, restartIce,
 * addTrack/addTransceiver/removeTrack and negotiated data channels, so the browser code path in
 * `actors/peer-connection.ts` drives it unchanged; only the types differ, hence the casts here.
 */
import { MediaStream as WeriftMediaStream, MediaStreamTrack as WeriftMediaStreamTrack, RTCPeerConnection as WeriftPeerConnection } from 'werift';

export interface WeriftFactory {
  createPeerConnection: (config: RTCConfiguration) => RTCPeerConnection;
  /** Every connection made by this factory that was not closed yet. */
  open(): WeriftPeerConnection[];
  /** Close every connection still open (test cleanup). */
  closeAll(): Promise<void>;
}

/** A factory that remembers what it made, so tests can prove nothing stays open. */
export function weriftFactory(options: Partial<ConstructorParameters<typeof WeriftPeerConnection>[0]> = {}): WeriftFactory {
  const made = new Set<WeriftPeerConnection>();
  const isOpen = (pc: WeriftPeerConnection) => pc.signalingState !== 'closed';
  return {
    createPeerConnection(config) {
      const pc = new WeriftPeerConnection({
        iceServers: (config.iceServers ?? []).map((server) => ({ ...server, urls: server.urls })),
        bundlePolicy: config.bundlePolicy === 'max-bundle' ? 'max-bundle' : 'max-compat',
        iceUseIpv6: false,
        // Loopback only: fast, and immune to whatever other interfaces the machine has.
        iceInterfaceAddresses: { udp4: '127.0.0.1' },
        iceAdditionalHostAddresses: ['127.0.0.1'],
        ...options,
      });
      made.add(pc);
      rerunIceChecksAfterRestart(pc);
      return pc as unknown as RTCPeerConnection;
    },
    open: () => [...made].filter(isOpen),
    async closeAll() {
      await Promise.all([...made].filter(isOpen).map((pc) => pc.close()));
    },
  };
}

/** A fake camera + microphone stream: werift tracks that are negotiated like real ones (no RTP needed). */
export function fakeCameraStream(kinds: Array<'audio' | 'video'> = ['audio', 'video']): MediaStream {
  const tracks = kinds.map((kind) => new WeriftMediaStreamTrack({ kind }));
  return new WeriftMediaStream(tracks) as unknown as MediaStream;
}

const ufragOf = (sdp: string | undefined) => (sdp ? /a=ice-ufrag:(\S+)/.exec(sdp)?.[1] ?? '' : '');

/**
 * werift 0.24.4 does not rerun ICE connectivity checks after an ICE restart while DTLS is up
 * (`RTCPeerConnection.connect()` returns early when the DTLS transport is connected), so the new
 * ICE generation never gets a working pair and the data path dies; browsers rerun them. When an
 * offer/answer exchange ends with new ICE credentials, start the checks the way a browser would.
 */
function rerunIceChecksAfterRestart(pc: WeriftPeerConnection) {
  let credentials: string | null = null;
  const afterDescription = () => {
    if (pc.signalingState !== 'stable') return;
    const next = `${ufragOf(pc.localDescription?.sdp)}/${ufragOf(pc.remoteDescription?.sdp)}`;
    const restarted = credentials !== null && next !== credentials;
    credentials = next;
    if (!restarted) return;
    // A moment later, so the first trickled candidates of the new generation are in.
    setTimeout(() => {
      if (pc.signalingState === 'closed') return;
      for (const transport of pc.iceTransports) void transport.start().catch(() => undefined);
    }, 100);
  };
  const setLocal = pc.setLocalDescription.bind(pc);
  const setRemote = pc.setRemoteDescription.bind(pc);
  Object.assign(pc, {
    setLocalDescription: async (...args: Parameters<typeof setLocal>) => {
      const result = await setLocal(...args);
      afterDescription();
      return result;
    },
    setRemoteDescription: async (...args: Parameters<typeof setRemote>) => {
      await setRemote(...args);
      afterDescription();
    },
  });
}

/** Polls `check` every 10 ms until it holds, or fails after `timeout` ms (a condition with a deadline, not a sleep). */
export async function waitUntil(check: () => boolean, timeout = 5_000): Promise<void> {
  const deadline = Date.now() + timeout;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/**
 * After a file's tests: how many of `factory`'s connections were still open once their peers had had 5 s to close
 * them (stopping a peer actor closes its connection, so any is a leak); then closes them all.
 */
export async function leakedConnections(factory: WeriftFactory): Promise<number> {
  await waitUntil(() => factory.open().length === 0, 5_000).catch(() => undefined);
  const leaked = factory.open().length;
  await factory.closeAll();
  return leaked;
}
