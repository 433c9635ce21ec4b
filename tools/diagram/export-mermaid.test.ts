import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { peerMachine, roomMachine, signalingMachine } from '@peerchart/core';
import { DOC_PATH, renderMachineDoc, toMermaid } from './export-mermaid.js';

describe('export-mermaid', () => {
  it('renders states, initial states and guarded transitions from the machine definition', () => {
    const diagram = toMermaid(signalingMachine);
    expect(diagram.split('\n')[0]).toBe('stateDiagram-v2');
    expect(diagram).toContain('[*] --> connection');
    expect(diagram).toContain('state connection {');
    expect(diagram).toContain('connection_connecting --> connection_greeting: SOCKET.OPEN');
    expect(diagram).toContain('reconnecting --> connection: SIGNALING.RETRY_NOW');
    expect(diagram).toContain('closed --> [*]');
  });

  it('draws transitions that only run actions as loops, and descriptions after the event', () => {
    const room = toMermaid(roomMachine);
    // The peer lifecycle happens in targetless transitions: a newcomer, a hang-up, a redial.
    expect(room).toContain('call_membership_member --> call_membership_member: SERVER.peer-joined [ourRoom] / addPeers, syncPeers');
    expect(room).toContain('call --> call: PEER.CLOSED / dropPeers');
    expect(room).toContain('call --> call: PEER.REDIAL / toPeer');
    expect(room).toContain('call --> call: NETWORK.CHANGED / Network changed: restart ICE now');
    // The join is one transition, guarded by the other regions' states.
    expect(room).toContain('call_membership_waiting --> call_membership_joining: always [in call.media.settled & call.signaling.open]');
  });

  // Both roles of the offer/answer exchange, step by step: the offerer creates, sets and sends its
  // offer and applies the answer; the answerer receives the offer, applies it, creates, sets and
  // sends its answer. Each step is a state or a labelled edge of the peer diagram.
  const HANDSHAKE: [step: string, pattern: RegExp][] = [
    ['create RTCPeerConnection', /creat\w* ?(RTC)?PeerConnection/i],
    ['create offer', /creat\w* ?offer/i],
    ['set local description (offer)', /set\w* ?local ?(offer|description)/i],
    ['send offer', /send\w* ?(the |an )?offer/i],
    ['receive offer', /SIGNAL\.OFFER|receiv\w* ?(the |an )?offer/i],
    ['set remote description (offer)', /set\w* ?remote ?offer/i],
    ['create answer', /creat\w* ?answer/i],
    ['set local description (answer)', /set\w* ?local ?answer/i],
    ['send answer', /send\w* ?(the |an )?answer/i],
    ['set remote description (answer)', /set\w* ?remote ?answer/i],
  ];

  it.each(HANDSHAKE)('the peer diagram names the handshake step "%s"', (_, pattern) => {
    expect(toMermaid(peerMachine)).toMatch(pattern);
  });

  it('docs/machine.md is up to date (regenerate with `npm run diagram -w tools`)', () => {
    expect(readFileSync(DOC_PATH, 'utf8')).toBe(renderMachineDoc());
  });
});
