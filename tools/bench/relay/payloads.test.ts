import { describe, expect, it } from 'vitest';
import { candidateInit, fillTemplate, readMarker, sessionDescription, splitTemplate } from './payloads.js';

describe('relay payloads', () => {
  it('round-trips sender and send time through a JSON frame the way a relay re-serialises it', () => {
    const template = splitTemplate(JSON.stringify({ type: 'candidate', candidate: candidateInit() }));
    const frame = fillTemplate(template, 42, 1_234_567.8);
    const reserialised = Buffer.from(JSON.stringify({ ...JSON.parse(frame.toString()), from: 'x' }));
    expect(readMarker(reserialised)).toEqual({ sender: 42, sentAtMicros: 1_234_567 });
  });

  it('sizes the mix like real signaling: ~3 KB SDP frames, ~250 B candidate frames', () => {
    const sdp = fillTemplate(splitTemplate(JSON.stringify({ type: 'offer', sdp: sessionDescription() })), 1, 1);
    const candidate = fillTemplate(splitTemplate(JSON.stringify({ type: 'candidate', candidate: candidateInit() })), 1, 1);
    expect(sdp.length).toBeGreaterThan(2_700);
    expect(sdp.length).toBeLessThan(3_300);
    expect(candidate.length).toBeGreaterThan(200);
    expect(candidate.length).toBeLessThan(300);
  });

  it('finds no marker in a frame the server wrote itself', () => {
    expect(readMarker(Buffer.from('{"type":"error","code":"rate-limited"}'))).toBeUndefined();
  });
});
