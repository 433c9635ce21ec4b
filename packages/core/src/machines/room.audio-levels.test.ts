import { afterEach, describe, expect, it } from 'vitest';
import { sampleAudioLevels, type AudioMeter } from '../dom/audio-levels.js';
import { connectedPair, roomFixture, until } from '../test-support/rooms.js';
import { fakeCameraStream } from '../test-support/werift.js';

// The room with the real sampler (sampling, rounding, speaker hysteresis) on a meter the test sets:
// what Node lacks is only WebAudio itself (the browser's meter is covered by tools/e2e/speaker.e2e.ts).
let fixture: ReturnType<typeof roomFixture>;
afterEach(() => fixture?.cleanup());

/** A meter whose level is `level(track)`, and every track it was asked to meter. */
function testMeter(level: (track: MediaStreamTrack) => number) {
  const metered: { track: MediaStreamTrack; stopped: boolean }[] = [];
  const meter = (track: MediaStreamTrack): AudioMeter => {
    const entry = { track, stopped: false };
    metered.push(entry);
    return { read: () => level(track), stop: () => (entry.stopped = true) };
  };
  return { metered, watchAudioLevels: sampleAudioLevels(meter) };
}

const media = { audio: true, video: true };

describe('room: audio levels and the active speaker in the view', () => {
  it('meters the local microphone before joining (status ready), as `local.audioLevel`', async () => {
    fixture = roomFixture();
    let loud = 0;
    const { metered, watchAudioLevels } = testMeter(() => loud);
    const stream = fakeCameraStream();
    const bob = fixture.join('Bob', { autoJoin: false, media, implementations: { getUserMedia: async () => stream, watchAudioLevels } });
    const ready = await until(bob, (v) => v.status === 'ready');
    expect(ready.local.audioLevel).toBe(0);
    loud = 0.42;
    const speaking = await until(bob, (v) => v.local.audioLevel === 0.4);
    expect(speaking.status).toBe('ready');
    expect(metered.map((m) => m.track)).toEqual([stream.getAudioTracks()[0]]);
    // Greeted already, so it is the own id; nobody else is there.
    expect(speaking.activeSpeakerId).toBe(speaking.selfId);
    loud = 0;
    await until(bob, (v) => v.local.audioLevel === 0 && v.activeSpeakerId === null);
    await bob.leave();
    expect(metered.every((m) => m.stopped)).toBe(true);
  });

  it("a peer's received audio level, and that peer as active speaker; silence drops both", async () => {
    fixture = roomFixture();
    const adaStream = fakeCameraStream();
    const bobStream = fakeCameraStream();
    const bobMic = bobStream.getAudioTracks()[0];
    let remoteLoudness = 0;
    // On Bob's side: his own microphone is quiet, what he receives is as loud as the test says.
    const bobMeter = testMeter((track) => (track === bobMic ? 0 : remoteLoudness));
    const ada = fixture.join('Ada', { media, implementations: { getUserMedia: async () => adaStream } });
    const bob = fixture.join('Bob', { media, implementations: { getUserMedia: async () => bobStream, watchAudioLevels: bobMeter.watchAudioLevels } });
    const [adaView] = await connectedPair(ada, bob);
    await until(bob, (v) => v.peers[0]?.stream?.getAudioTracks().length === 1);
    // Without a watchAudioLevels (Node's default) everything stays 0.
    expect(adaView.local.audioLevel).toBe(0);

    remoteLoudness = 0.8;
    const speaking = await until(bob, (v) => v.peers[0]?.audioLevel === 0.8);
    expect(speaking.activeSpeakerId).toBe(adaView.selfId);
    expect(speaking.local.audioLevel).toBe(0);
    const remoteTrack = speaking.peers[0]!.stream!.getAudioTracks()[0];
    expect(bobMeter.metered.map((m) => m.track)).toEqual(expect.arrayContaining([bobMic, remoteTrack]));
    // The level survives the peer's own updates (stats, state changes) until a new level comes.
    await until(bob, (v) => v.peers[0]!.stats !== null && v.peers[0]!.audioLevel === 0.8);

    remoteLoudness = 0;
    const quiet = await until(bob, (v) => v.peers[0]?.audioLevel === 0);
    expect(quiet.activeSpeakerId).toBe(adaView.selfId); // held through a short pause
    await until(bob, (v) => v.activeSpeakerId === null);
    expect(ada.getView().activeSpeakerId).toBeNull();
  });

  it("AUDIO.LEVELS: a peer's view stays the same object when its own level did not change (its tile need not re-render)", async () => {
    fixture = roomFixture();
    const ada = fixture.join('Ada', { media, implementations: { getUserMedia: async () => fakeCameraStream() } });
    const bob = fixture.join('Bob', { media, implementations: { getUserMedia: async () => fakeCameraStream() } });
    const [, bobView] = await connectedPair(ada, bob);
    const peer = bob.getView().peers[0]!;
    bob.actor.send({ type: 'AUDIO.LEVELS', levels: { '': 0.6, [peer.id]: 0 }, speaker: '' });
    const selfSpeaks = bob.getView();
    expect(selfSpeaks.peers[0]).toBe(peer);
    expect(selfSpeaks.local.audioLevel).toBe(0.6);
    expect(selfSpeaks.activeSpeakerId).toBe(bobView.selfId);
    bob.actor.send({ type: 'AUDIO.LEVELS', levels: { '': 0, [peer.id]: 0.35 }, speaker: peer.id });
    const peerSpeaks = bob.getView();
    expect(peerSpeaks.peers[0]).toEqual({ ...peer, audioLevel: 0.35 });
    expect(peerSpeaks.activeSpeakerId).toBe(peer.id);
  });
});
