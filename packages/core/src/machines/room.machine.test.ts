import fc from 'fast-check';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { waitFor, type InspectionEvent } from 'xstate';
import { EVERY_ROOM_COMMAND } from '../test-support/commands.js';
import { fakeGetUserMedia } from '../test-support/fake-media.js';
import { connectedPair, connectedTo, roomFixture, until } from '../test-support/rooms.js';
import { fakeCameraStream, weriftFactory } from '../test-support/werift.js';
import { commandForAction } from '../selectors/room.js';
import { mediaViewError } from './media.machine.js';
import type { RoomStatus } from '../view.js';

// Each test builds its own rooms; model coverage of the room machine (every state, every transition)
// is room.model.test.ts, which generates its own paths, so no test here depends on another's state.
let fixture: ReturnType<typeof roomFixture>;
const setup = (...args: Parameters<typeof roomFixture>) => {
  fixture = roomFixture(...args);
  return fixture;
};
afterEach(() => fixture?.cleanup());

/** A werift camera + microphone: tracks that negotiate like real ones. */
const cameraMedia = () => ({ getUserMedia: async () => fakeCameraStream() });

describe('roomMachine: joining', () => {
  it('settles media, connects, joins, and calls the members already there', async () => {
    const { join, hub } = setup();
    const ada = join('Ada');
    const statuses = new Set<string>([ada.getView().status]);
    ada.subscribe((view) => statuses.add(view.status));
    const alone = await until(ada, (v) => v.status === 'joined');
    expect(alone.statusText).toBe('Waiting for others to join');
    expect(alone.selfId).toBe(hub.members('standup')[0]);
    expect([...statuses]).toEqual(expect.arrayContaining(['connecting', 'joining', 'joined']));

    const bob = join('Bob');
    const bobView = await until(bob, connectedTo(1));
    const adaView = await until(ada, connectedTo(1));
    // Bob is the newcomer: impolite toward Ada, and Ada polite toward Bob.
    expect(bobView.peers[0]).toMatchObject({ id: alone.selfId, name: 'Ada', polite: false });
    expect(adaView.peers[0]).toMatchObject({ id: bobView.selfId, name: 'Bob', polite: true });
    expect(adaView.statusText).toBe('In the call with 1 person');
    // The newcomer sends the first offer.
    expect(hub.received.find((r) => r.message.type === 'offer')?.from).toBe(bobView.selfId);
  });

  it('autoJoin: false waits in ready (greeted, media live, not a member) until JOIN, which starts the call', async () => {
    const { join, hub } = setup();
    const ada = join('Ada');
    await until(ada, (v) => v.status === 'joined');
    const bob = join('Bob', { autoJoin: false, media: { audio: true, video: true }, implementations: cameraMedia() });
    const ready = await until(bob, (v) => v.status === 'ready');
    expect(ready.statusText).toBe('Ready to join room standup');
    expect(ready.selfId).not.toBeNull(); // greeted: the identity is known before the call
    expect(ready.local.hasVideo).toBe(true);
    expect(ready.peers).toEqual([]);
    expect(hub.members('standup')).toHaveLength(1);
    expect(hub.received.some((r) => r.message.type === 'join' && r.from === ready.selfId)).toBe(false);

    bob.send({ type: 'JOIN' });
    const [bobView] = await connectedPair(bob, ada);
    expect(bobView.selfId).toBe(ready.selfId);
    expect(hub.members('standup')).toHaveLength(2);
  });

  it('JOIN with a name joins under that name (a pre-join screen), which the others see; JOIN without one keeps createRoom\'s', async () => {
    const { join, hub } = setup();
    const ada = join('Ada', { autoJoin: false });
    const ready = await until(ada, (v) => v.status === 'ready');
    expect(ready.selfName).toBe('Ada');
    ada.send({ type: 'JOIN', name: 'Ada Lovelace' });
    expect(ada.getView().selfName).toBe('Ada Lovelace');
    await until(ada, (v) => v.status === 'joined');
    expect(hub.received.find((r) => r.message.type === 'join' && r.from === ready.selfId)?.message).toMatchObject({ name: 'Ada Lovelace' });

    const bob = join('Bob', { autoJoin: false });
    await until(bob, (v) => v.status === 'ready');
    bob.send({ type: 'JOIN' });
    const [bobView] = await connectedPair(bob, ada);
    expect(bobView.selfName).toBe('Bob');
    expect(bobView.peers[0]?.name).toBe('Ada Lovelace');
  });

  it('autoJoin: false with JOIN sent early joins as soon as it can, never stopping in ready', async () => {
    const { join } = setup();
    const ada = join('Ada', { autoJoin: false });
    const statuses = new Set<string>([ada.getView().status]);
    ada.subscribe((view) => statuses.add(view.status));
    ada.send({ type: 'JOIN' });
    await until(ada, (v) => v.status === 'joined');
    expect(statuses.has('ready')).toBe(false);
  });

  it('reports every actor, event and snapshot to an inspector observer (the shape of @statelyai/inspect)', async () => {
    const { join } = setup();
    const seen: InspectionEvent[] = [];
    const ada = join('Ada', { inspect: { next: (event) => seen.push(event) } });
    await until(ada, (v) => v.status === 'joined');
    const actors = new Set(seen.filter((e) => e.type === '@xstate.actor').map((e) => e.actorRef));
    expect(actors.size).toBeGreaterThanOrEqual(3); // room, media, signaling (and their bridges)
    expect(seen.some((e) => e.type === '@xstate.event' && e.event.type === 'SIGNALING.WELCOME')).toBe(true);
  });

  it('a refused join fails with a way back in (room-full), and REJOIN works once there is room', async () => {
    const { join } = setup({ maxMembers: 1 });
    const ada = join('Ada');
    await until(ada, (v) => v.status === 'joined');
    const bob = join('Bob');
    const refused = await until(bob, (v) => v.status === 'failed');
    expect(refused.error).toMatchObject({ code: 'join/room-full', actions: ['rejoin'] });
    expect(refused.statusText).toBe(refused.error?.message);
    await ada.leave();
    bob.send({ type: 'REJOIN' });
    const joined = await until(bob, (v) => v.status === 'joined');
    expect(joined.error).toBeNull();
  });

  it('an unauthorized join says a valid invitation is needed', async () => {
    const { join } = setup({ ticket: 'secret' });
    const room = join('Eve', { ticket: 'forged' });
    const view = await until(room, (v) => v.status === 'failed');
    expect(view.error?.code).toBe('join/unauthorized');
    expect(view.error?.message).toContain('valid invitation');
    const allowed = join('Ada', { ticket: 'secret' });
    await until(allowed, (v) => v.status === 'joined');
  });
});

describe('roomMachine: media', () => {
  // Node has no camera and cannot deny a permission prompt: getUserMedia is faked to reject as browsers do.
  it('blocked media waits with its message and ways out; receive-only then joins', async () => {
    const { join } = setup();
    const room = join('Ada', { media: { audio: true, video: true }, implementations: fakeGetUserMedia('NotAllowedError') });
    const blocked = await until(room, (v) => v.status === 'media-error');
    expect(blocked.error).toEqual(mediaViewError('permission-denied', ['retry', 'audio-only', 'receive-only']));
    room.send({ type: 'MEDIA.RECEIVE_ONLY' });
    const joined = await until(room, (v) => v.status === 'joined');
    expect(joined.local).toMatchObject({ receiveOnly: true, stream: null });
    expect(joined.error).toBeNull();
  });

  it('signaling connects while media is still being acquired; join waits until media has settled', async () => {
    const { join, hub } = setup();
    let grant: (stream: MediaStream) => void = () => {};
    const pending = new Promise<MediaStream>((resolve) => (grant = resolve));
    const room = join('Ada', { media: { audio: true, video: true }, implementations: { getUserMedia: () => pending } });
    // Greeted while the (permission) prompt is still open.
    await waitFor(room.actor, (snapshot) => snapshot.context.signalingView.status === 'open', { timeout: 15_000 });
    expect(room.getView().status).toBe('acquiring-media');
    expect(hub.received.map((r) => r.message.type)).toEqual(['hello']);
    grant(fakeCameraStream());
    const joined = await until(room, (v) => v.status === 'joined');
    expect(hub.received.map((r) => r.message.type)).toEqual(['hello', 'join']);
    expect(joined.local).toMatchObject({ hasAudio: true, hasVideo: true });
    expect(joined.selfId).toBe(hub.members('standup')[0]);
  });

  it('no camera: audio-only asks for the microphone alone and joins with it', async () => {
    const { join } = setup();
    const media = fakeGetUserMedia('NotFoundError', 'ok');
    const room = join('Ada', { media: { audio: true, video: true }, implementations: media });
    const missing = await until(room, (v) => v.status === 'media-error');
    expect(missing.error?.code).toBe('media/no-camera');
    room.send({ type: 'MEDIA.AUDIO_ONLY' });
    const joined = await until(room, (v) => v.status === 'joined');
    expect(media.calls.at(-1)).toEqual({ audio: true, video: false });
    expect(joined.local).toMatchObject({ hasAudio: true, hasVideo: false, receiveOnly: false });
  });

  it('mute and camera-off reach the other side without renegotiation; leaving stops every track', async () => {
    const { join, hub } = setup();
    const stream = fakeCameraStream();
    const ada = join('Ada', { media: { audio: true, video: true }, implementations: { getUserMedia: async () => stream } });
    const bob = join('Bob', { media: { audio: true, video: true }, implementations: cameraMedia() });
    await connectedPair(ada, bob);
    const offers = () => hub.received.filter((r) => r.message.type === 'offer').length;
    const offersBefore = offers();
    ada.send({ type: 'MIC.MUTE' });
    ada.send({ type: 'CAMERA.OFF' });
    expect(ada.getView().local).toMatchObject({ micMuted: true, cameraOff: true });
    const seen = await until(bob, (v) => v.peers[0]?.remoteAudioMuted === true && v.peers[0]?.remoteVideoOff === true);
    expect(seen.peers[0]?.connectionState).toBe('connected');
    expect(offers()).toBe(offersBefore);
    await ada.leave();
    const tracks = stream.getTracks() as unknown as { stopped: boolean }[];
    expect(tracks.map((track) => track.stopped)).toEqual([true, true]);
  });
});

describe('roomMachine: switching camera and sharing the screen', () => {
  it('a camera switch replaces the track without an offer; a screen share reaches the other side and ends', async () => {
    const { join, hub } = setup();
    const stream = fakeCameraStream();
    const ada = join('Ada', {
      media: { audio: true, video: true },
      implementations: {
        // The first call is the camera + microphone; later ones are the "other camera".
        getUserMedia: async (constraints) => (constraints.audio ? stream : fakeCameraStream(['video'])),
        getDisplayMedia: async () => fakeCameraStream(['video']),
      },
    });
    const bob = join('Bob', { media: { audio: true, video: true }, implementations: cameraMedia() });
    await connectedPair(ada, bob);
    const offers = () => hub.received.filter((r) => r.message.type === 'offer').length;
    const before = offers();
    const oldVideo = stream.getVideoTracks()[0];
    ada.send({ type: 'CAMERA.SWITCH' });
    await until(ada, () => stream.getVideoTracks()[0] !== oldVideo);
    expect((oldVideo as unknown as { stopped: boolean }).stopped).toBe(true);
    expect(offers()).toBe(before);

    ada.send({ type: 'SCREEN.START' });
    await until(ada, (v) => v.local.sharingScreen);
    const sharing = await until(bob, (v) => v.peers[0]?.screenStream != null);
    expect(sharing.peers[0]?.stream).not.toBeNull();
    ada.send({ type: 'SCREEN.STOP' });
    await until(bob, (v) => v.peers[0]?.screenStream == null);
    expect(ada.getView().peers[0]?.connectionState).toBe('connected');
  });
});

describe('roomMachine: devices', () => {
  it('a microphone switch puts the new track on the sender (replaceTrack), without an offer; the device list reaches the view', async () => {
    const { join, hub, werift } = setup();
    const stream = fakeCameraStream();
    const devices = [{ kind: 'audioinput', deviceId: 'usb-mic', groupId: 'g', label: 'USB microphone' }] as const;
    const ada = join('Ada', {
      media: { audio: true, video: true },
      implementations: {
        // The first call is the camera + microphone; the next one is the USB microphone alone.
        getUserMedia: async (constraints) => (constraints.video ? stream : fakeCameraStream(['audio'])),
        watchDevices: (onChange) => {
          onChange([...devices]);
          return () => {};
        },
      },
    });
    const bob = join('Bob', { media: { audio: true, video: true }, implementations: cameraMedia() });
    await connectedPair(ada, bob);
    expect(ada.getView().local.devices).toEqual(devices);
    const offers = () => hub.received.filter((r) => r.message.type === 'offer').length;
    const before = offers();
    const oldMic = stream.getAudioTracks()[0];
    ada.send({ type: 'MIC.SWITCH', deviceId: 'usb-mic' });
    await until(ada, () => stream.getAudioTracks()[0] !== oldMic);
    const newMic = stream.getAudioTracks()[0];
    // Ada's connection sends the new microphone track (replaceTrack settles asynchronously).
    await vi.waitFor(() => expect(werift.open().some((pc) => pc.getSenders().some((sender) => (sender.track as unknown) === newMic))).toBe(true));
    expect((oldMic as unknown as { stopped: boolean }).stopped).toBe(true);
    expect(offers()).toBe(before);
  });
});

/** Application data `room` receives from now on (its `data` events: sender and payload). */
function inboxOf(room: { onData: (listener: (message: { from: string; data: unknown }) => void) => () => void }) {
  const inbox: Array<{ from: string; data: unknown }> = [];
  room.onData(({ from, data }) => inbox.push({ from, data }));
  return inbox;
}

describe('roomMachine: peers and application data', () => {
  it('data reaches the other side both ways, named by its sender', async () => {
    const { join } = setup();
    const ada = join('Ada');
    const bob = join('Bob');
    const [adaView, bobView] = await connectedPair(ada, bob);
    const [adaInbox, bobInbox] = [inboxOf(ada), inboxOf(bob)];
    ada.send({ type: 'DATA.SEND', data: { text: 'hello' } });
    bob.send({ type: 'DATA.SEND', data: 'hi Ada', to: adaView.selfId! });
    await until(ada, () => adaInbox.length === 1 && bobInbox.length === 1);
    expect(bobInbox).toEqual([{ from: adaView.selfId, data: { text: 'hello' } }]);
    expect(adaInbox).toEqual([{ from: bobView.selfId, data: 'hi Ada' }]);
  });

  it('data works with the longest peer ids the protocol allows (64 characters)', async () => {
    const { join } = setup({ peerId: (n) => `${'p'.repeat(60)}${String(n).padStart(4, '0')}` });
    const ada = join('Ada');
    const bob = join('Bob');
    const [adaView, bobView] = await connectedPair(ada, bob);
    expect(adaView.selfId).toHaveLength(64);
    const bobInbox = inboxOf(bob);
    ada.send({ type: 'DATA.SEND', data: [1, 2, 3], to: bobView.selfId! });
    await until(bob, () => bobInbox.length === 1);
    expect(bobInbox).toEqual([{ from: adaView.selfId, data: [1, 2, 3] }]);
  });

  it('a member who leaves says bye, and the others drop their peer', async () => {
    const { join, hub, werift } = setup();
    const ada = join('Ada');
    const bob = join('Bob');
    const bobId = (await connectedPair(ada, bob))[1].selfId;
    await bob.leave();
    expect(bob.getView().status).toBe('left');
    expect(bob.getView().statusText).toBe('You left the call');
    const fromBob = hub.received.filter((r) => r.from === bobId).map((r) => r.message.type);
    expect(fromBob.slice(-2)).toEqual(['bye', 'leave']);
    const alone = await until(ada, (v) => v.peers.length === 0);
    expect(alone.statusText).toBe('Waiting for others to join');
    expect(hub.members('standup')).toEqual([ada.getView().selfId]);
    // Bob's connection is closed; Ada's closes on the bye.
    await until(ada, () => werift.open().length === 0);
  });

  it('a peer whose connection fails stays in view with its error; Redial reconnects that peer alone, Dismiss removes it', async () => {
    const { join } = setup();
    // Ada's connections come from a factory of her own, so the test can close hers underneath her.
    const adaConnections = weriftFactory();
    const timing = { signaling: { backoffBaseMs: 20, backoffMaxMs: 100 }, peer: { redialMaxAttempts: 0 } };
    const ada = join('Ada', { timing, implementations: { createPeerConnection: adaConnections.createPeerConnection } });
    const bob = join('Bob', { timing });
    const [adaView, bobView] = await connectedPair(ada, bob);
    const bobId = bobView.selfId as string;
    // The transport dies under Ada's peer (no bye): with no redials allowed, the peer is failed at once.
    await adaConnections.closeAll();
    const failed = await until(ada, (v) => v.peers[0]?.status === 'failed');
    expect(failed.peers[0]?.error).toMatchObject({ code: 'peer/transport-lost', actions: ['redial', 'dismiss'], peerId: bobId });
    expect(failed.error).toBeNull();

    ada.send(commandForAction('redial', failed.peers[0]?.error ?? null));
    await until(ada, (v) => connectedTo(1)(v) && v.peers[0]?.status === 'connected');
    await until(bob, (v) => connectedTo(1)(v) && v.peers[0]?.id === adaView.selfId);
    expect(adaConnections.open()).toHaveLength(1);
    expect(ada.getView().selfId).toBe(adaView.selfId);

    await adaConnections.closeAll();
    const again = await until(ada, (v) => v.peers[0]?.status === 'failed');
    ada.send(commandForAction('dismiss', again.peers[0]?.error ?? null));
    await until(ada, (v) => v.peers.length === 0);
    // The bye tells Bob: he drops Ada too.
    await until(bob, (v) => v.peers.length === 0);
  });

  it('redials only the peer whose connection failed: the others in the mesh keep theirs untouched', async () => {
    const { join } = setup();
    const adaConnections = weriftFactory();
    const bob = join('Bob');
    await until(bob, (v) => v.status === 'joined');
    const carol = join('Carol');
    await until(carol, connectedTo(1));
    // Ada joins last: she calls Bob, then Carol, so her first connection is the one to Bob.
    const ada = join('Ada', { implementations: { createPeerConnection: adaConnections.createPeerConnection } });
    const adaView = await until(ada, connectedTo(2));
    const bobId = bob.getView().selfId as string;
    const carolId = carol.getView().selfId as string;
    const [toBob, toCarol] = adaConnections.open();
    const carolStatuses = new Set<string>();
    ada.subscribe((view) => carolStatuses.add(view.peers.find((peer) => peer.id === carolId)?.status ?? 'gone'));

    // Ada's connection to Bob dies under her (no bye): she redials Bob alone, and Bob starts over too.
    await toBob!.close();
    await until(ada, (v) => v.peers.find((peer) => peer.id === bobId)?.status === 'redialing');
    await until(ada, (v) => connectedTo(2)(v) && v.peers.every((peer) => peer.status === 'connected'));
    await until(bob, connectedTo(2));
    expect(adaConnections.open()).toHaveLength(2);
    expect(adaConnections.open()).toContain(toCarol);
    expect(adaConnections.open()).not.toContain(toBob);
    expect([...carolStatuses]).toEqual(['connected']);
    expect(ada.getView().selfId).toBe(adaView.selfId);
  });

  it('keeps the call through a signaling outage and resumes the same identity', async () => {
    const { join, hub } = setup();
    const ada = join('Ada');
    const bob = join('Bob');
    const [before] = await connectedPair(ada, bob);
    hub.refuseConnections = true;
    hub.dropAll();
    const lost = await until(ada, (v) => v.status === 'reconnecting');
    expect(lost.error).toMatchObject({ code: 'signaling/unreachable', actions: ['retry'] });
    expect(lost.signaling.nextRetryAt).toEqual(expect.any(Number));
    // Peer-to-peer media and data do not need the server.
    const adaInbox = inboxOf(ada);
    bob.send({ type: 'DATA.SEND', data: 'still here?' });
    await until(ada, () => adaInbox.some((message) => message.data === 'still here?'));
    expect(ada.getView().peers[0]?.connectionState).toBe('connected');
    hub.refuseConnections = false;
    ada.send({ type: 'SIGNALING.RETRY_NOW' });
    const back = await until(ada, (v) => v.status === 'joined');
    expect(back.selfId).toBe(before.selfId);
    expect(back.peers.map((peer) => peer.id)).toEqual(before.peers.map((peer) => peer.id));
    expect(back.error).toBeNull();
    await until(bob, (v) => v.status === 'joined');
  });

  it('a lost identity (resume refused) rejoins from scratch and reconnects the peers', async () => {
    const { join, hub } = setup({ resumeWindowMs: 1 });
    const ada = join('Ada');
    const bob = join('Bob');
    const [adaBefore] = await connectedPair(ada, bob);
    hub.refuseConnections = true;
    hub.dropAll();
    await until(ada, (v) => v.status === 'reconnecting');
    // The hub forgets Ada once her 1 ms resume window has passed: wait for that, not for a time.
    await vi.waitFor(() => expect(hub.members('standup')).not.toContain(adaBefore.selfId), { timeout: 5_000 });
    hub.refuseConnections = false;
    const adaAfter = await until(ada, (v) => v.status === 'joined' && v.selfId !== adaBefore.selfId && connectedTo(1)(v));
    expect(adaAfter.peers[0]?.name).toBe('Bob');
    await until(bob, (v) => connectedTo(1)(v) && v.peers[0]?.id === adaAfter.selfId);
  });
});

/** Every RoomStatus, checked exhaustive by the compiler (a missing or unknown key fails typecheck). */
const ROOM_STATUSES = Object.keys({
  'acquiring-media': true,
  'media-error': true,
  connecting: true,
  ready: true,
  joining: true,
  joined: true,
  reconnecting: true,
  left: true,
  failed: true,
} satisfies Record<RoomStatus, true>);

describe('roomMachine: robustness', () => {
  const commands = EVERY_ROOM_COMMAND;

  it('takes every command in every state without throwing or erroring', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.tuple(fc.constantFrom(...commands), fc.nat(3)), { maxLength: 12 }),
        fc.constantFrom('ok', 'NotAllowedError', 'NotFoundError'),
        async (steps, outcome) => {
          const { join, cleanup } = roomFixture();
          try {
            const room = join('Ada', { media: { audio: true, video: true }, implementations: fakeGetUserMedia(outcome, 'ok') });
            for (const [command, pause] of steps) {
              room.send(command);
              // Straight to the actor too, bypassing the handle (which ignores commands once left).
              if (room.actor.getSnapshot().status === 'active') room.actor.send(command);
              for (let i = 0; i < pause; i++) await new Promise((resolve) => setImmediate(resolve));
            }
            expect(room.actor.getSnapshot().status).not.toBe('error');
            // The view stays coherent whatever came before: a known status, words for it, and an
            // error (with a way out) exactly when the status is one that waits on the user.
            const view = room.getView();
            expect(ROOM_STATUSES).toContain(view.status);
            expect(view.statusText.length).toBeGreaterThan(0);
            if (view.status === 'media-error' || view.status === 'failed') expect(view.error?.actions.length).toBeGreaterThan(0);
            if (view.status === 'joined') expect(view.selfId).not.toBeNull();
          } finally {
            await cleanup();
          }
        },
      ),
      { numRuns: 25 },
    );
  });
});
