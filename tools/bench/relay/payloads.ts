/**
 * The signaling mix every client sends: one SDP-sized message (~3 KB) per ten ICE-candidate-sized
 * ones (~250 B). Each frame carries a marker with the sender's index and its send time, so the load
 * generator reads a one-way latency off the frame without parsing JSON (keeping its own cost low).
 */

/** `~pc` + 6-digit sender index + 13-digit send time in µs. */
export const MARK_PREFIX = '~pc';
export const MARK_LENGTH = MARK_PREFIX.length + 6 + 13;
/** Stands in for the marker while a frame template is built with JSON.stringify, then split around. */
export const PLACEHOLDER = '@@MARK@@';
/** Every 11th message is an SDP: one per ten candidates. */
export const SDP_EVERY = 11;

export function marker(sender: number, sentAtMicros: number): string {
  return MARK_PREFIX + String(sender).padStart(6, '0') + String(Math.trunc(sentAtMicros)).padStart(13, '0');
}

/** A plausible ICE candidate line (the foundation slot carries the marker). */
export function candidateInit(): { candidate: string; sdpMid: string; sdpMLineIndex: number; usernameFragment: string } {
  return {
    candidate: `candidate:${PLACEHOLDER} 1 udp 2122260223 127.0.0.1 54321 typ host generation 0 ufrag 3bQf network-id 1 network-cost 10`,
    sdpMid: '0',
    sdpMLineIndex: 0,
    usernameFragment: '3bQf',
  };
}

/** A plausible audio+video offer of about 2.7 KB (3 KB once JSON-escaped and wrapped). */
export function sessionDescription(): string {
  const lines = [
    'v=0',
    `o=- ${PLACEHOLDER} 2 IN IP4 127.0.0.1`,
    's=-',
    't=0 0',
    'a=group:BUNDLE 0 1',
    'a=extmap-allow-mixed',
    'a=msid-semantic: WMS stream',
    'm=audio 9 UDP/TLS/RTP/SAVPF 111 63 9 0 8 13 110 126',
    'c=IN IP4 0.0.0.0',
    'a=rtcp:9 IN IP4 0.0.0.0',
    'a=ice-ufrag:3bQf',
    'a=ice-pwd:Jx1vQm2f4ZsY9h0kLq8rTb7n',
    'a=ice-options:trickle',
    'a=fingerprint:sha-256 7B:8B:F0:65:5F:78:E2:51:3B:AC:6F:F3:3F:46:1B:35:DC:B8:5F:64:1A:24:C2:43:F0:A1:58:D0:A1:2C:19:08',
    'a=setup:actpass',
    'a=mid:0',
    'a=extmap:1 urn:ietf:params:rtp-hdrext:ssrc-audio-level',
    'a=extmap:2 http://www.webrtc.org/experiments/rtp-hdrext/abs-send-time',
    'a=extmap:3 http://www.ietf.org/id/draft-holmer-rmcat-transport-wide-cc-extensions-01',
    'a=extmap:4 urn:ietf:params:rtp-hdrext:sdes:mid',
    'a=sendrecv',
    'a=msid:stream audio-track',
    'a=rtcp-mux',
    'a=rtpmap:111 opus/48000/2',
    'a=rtcp-fb:111 transport-cc',
    'a=fmtp:111 minptime=10;useinbandfec=1',
    'a=rtpmap:63 red/48000/2',
    'a=fmtp:63 111/111',
    'a=rtpmap:9 G722/8000',
    'a=rtpmap:0 PCMU/8000',
    'a=rtpmap:8 PCMA/8000',
    'a=rtpmap:13 CN/8000',
    'a=rtpmap:110 telephone-event/48000',
    'a=rtpmap:126 telephone-event/8000',
    'a=ssrc:1001 cname:bench',
    'a=ssrc:1001 msid:stream audio-track',
    'm=video 9 UDP/TLS/RTP/SAVPF 96 97 102 103 104 105 106 107 108 109 127 125 39 40 45 46 98 99 100 101',
    'c=IN IP4 0.0.0.0',
    'a=rtcp:9 IN IP4 0.0.0.0',
    'a=ice-ufrag:3bQf',
    'a=ice-pwd:Jx1vQm2f4ZsY9h0kLq8rTb7n',
    'a=ice-options:trickle',
    'a=fingerprint:sha-256 7B:8B:F0:65:5F:78:E2:51:3B:AC:6F:F3:3F:46:1B:35:DC:B8:5F:64:1A:24:C2:43:F0:A1:58:D0:A1:2C:19:08',
    'a=setup:actpass',
    'a=mid:1',
    'a=extmap:14 urn:ietf:params:rtp-hdrext:toffset',
    'a=extmap:13 urn:3gpp:video-orientation',
    'a=extmap:5 http://www.webrtc.org/experiments/rtp-hdrext/playout-delay',
    'a=sendrecv',
    'a=msid:stream video-track',
    'a=rtcp-mux',
    'a=rtcp-rsize',
  ];
  const codecs: [number, string][] = [
    [96, 'VP8/90000'],
    [97, 'rtx/90000'],
    [102, 'H264/90000'],
    [103, 'rtx/90000'],
    [104, 'H264/90000'],
    [105, 'rtx/90000'],
    [106, 'H264/90000'],
    [107, 'rtx/90000'],
    [108, 'H264/90000'],
    [109, 'rtx/90000'],
    [127, 'H264/90000'],
    [125, 'rtx/90000'],
    [39, 'AV1/90000'],
    [40, 'rtx/90000'],
    [45, 'VP9/90000'],
  ];
  for (const [pt, name] of codecs) {
    lines.push(`a=rtpmap:${pt} ${name}`);
    if (name.startsWith('rtx')) lines.push(`a=fmtp:${pt} apt=${pt - 1}`);
    else lines.push(`a=rtcp-fb:${pt} goog-remb`, `a=rtcp-fb:${pt} transport-cc`, `a=rtcp-fb:${pt} nack`);
  }
  lines.push('a=ssrc-group:FID 2001 2002', 'a=ssrc:2001 cname:bench', 'a=ssrc:2002 cname:bench');
  return `${lines.join('\r\n')}\r\n`;
}

/** A frame template split around the marker: send `head + marker + tail`. */
export interface FrameTemplate {
  head: Buffer;
  tail: Buffer;
}

export function splitTemplate(json: string): FrameTemplate {
  const at = json.indexOf(PLACEHOLDER);
  if (at < 0 || json.indexOf(PLACEHOLDER, at + 1) >= 0) throw new Error('frame template needs exactly one marker');
  return { head: Buffer.from(json.slice(0, at)), tail: Buffer.from(json.slice(at + PLACEHOLDER.length)) };
}

/** Builds one frame from a template (a fresh buffer: ws may still hold the previous one). */
export function fillTemplate(template: FrameTemplate, sender: number, sentAtMicros: number): Buffer {
  const { head, tail } = template;
  const frame = Buffer.allocUnsafe(head.length + MARK_LENGTH + tail.length);
  head.copy(frame, 0);
  frame.write(marker(sender, sentAtMicros), head.length, 'latin1');
  tail.copy(frame, head.length + MARK_LENGTH);
  return frame;
}

const MARK_BYTES = Buffer.from(MARK_PREFIX);

function digits(frame: Buffer, from: number, count: number): number {
  let value = 0;
  for (let i = from; i < from + count; i += 1) value = value * 10 + ((frame[i] as number) - 48);
  return value;
}

/** Reads the marker back: `undefined` for a frame without one (a server's own message). */
export function readMarker(frame: Buffer): { sender: number; sentAtMicros: number } | undefined {
  const at = frame.indexOf(MARK_BYTES);
  if (at < 0 || at + MARK_LENGTH > frame.length) return undefined;
  const base = at + MARK_PREFIX.length;
  return { sender: digits(frame, base, 6), sentAtMicros: digits(frame, base + 6, 13) };
}
