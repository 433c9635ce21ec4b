/**
 * Peerchart: core's createRoom against the real server. Local media is acquired once at setup and
 * handed to the room through the injected `getUserMedia` (a clone per call, since leaving a room
 * stops the tracks it was given). Like the other contenders, each page has its signaling ready before
 * "call": a room created with `autoJoin: false` waits in `ready` (socket open, `hello`/`welcome` done,
 * media attached). A call is the caller sending JOIN into the room its callee already sits in: the
 * newcomer makes the offer, so Peerchart's call includes the `join`/`joined` round trip.
 */
import './instrument.js';
import { createRoom, type RoomHandle, type RoomView } from '@peerchart/core';
import type { AnyEventObject, InspectionEvent } from 'xstate';
import { expose, localMedia, marks, removeRemote, showRemote } from './marks.js';

let local: MediaStream;
let signalingUrl = '';
let roomName = '';
let room: RoomHandle | undefined;
let steps = false;
const errors: string[] = [];

/** Events whose message type tells the step apart (the signaling frames of a call). */
const CARRIERS = new Set(['SOCKET.MESSAGE', 'SIGNALING.SEND', 'SIGNALING.MESSAGE', 'PEER.SIGNAL']);
const CALL_MESSAGES = new Set(['join', 'joined', 'peer-joined', 'offer', 'answer', 'candidate']);

/**
 * `--steps`: the machines' own transitions, from createRoom's `inspect` observer. Each snapshot an
 * actor (room, signaling, peer) settles into after an event marks "machine: <event>" — when the
 * chart had taken that step — next to the browser-level steps instrument.ts records.
 */
function inspectSteps(inspection: InspectionEvent): void {
  if (inspection.type !== '@xstate.snapshot') return;
  const event = inspection.event as AnyEventObject & { message?: { type?: string }; state?: string };
  if (CARRIERS.has(event.type)) {
    const type = event.message?.type;
    if (type && CALL_MESSAGES.has(type)) marks.step(`machine: ${event.type} ${type}`);
  } else if (event.type === 'PC.CONNECTION_STATE' || event.type === 'PC.ICE_CONNECTION_STATE') {
    marks.step(`machine: ${event.type} ${event.state}`);
  } else if (event.type.startsWith('PC.') || event.type.startsWith('SIGNAL.') || event.type === 'JOIN') {
    marks.step(`machine: ${event.type}`);
  }
}

/** A room with media and signaling ready, waiting for JOIN: what "connected to signaling" means here. */
async function prepare(): Promise<void> {
  const handle = createRoom({
    signalingUrl,
    room: roomName,
    autoJoin: false,
    iceServers: [],
    ...(steps ? { inspect: inspectSteps } : {}),
    implementations: { getUserMedia: async () => new MediaStream(local.getTracks()) },
  });
  handle.subscribe((view: RoomView) => {
    const stream = view.peers[0]?.stream;
    if (stream && stream.getVideoTracks().length > 0) showRemote(stream);
    if (view.error) errors.push(`${view.error.code}: ${view.error.message}`);
  });
  room = handle;
  await until(handle, (view) => view.status === 'ready', 10_000);
}

function joinNow(): RoomHandle {
  if (!room) throw new Error('no room prepared');
  room.send({ type: 'JOIN' });
  return room;
}

function until(handle: RoomHandle, predicate: (view: RoomView) => boolean, timeoutMs: number): Promise<void> {
  return new Promise((resolve, reject) => {
    if (predicate(handle.getView())) return resolve();
    const timer = setTimeout(() => {
      unsubscribe();
      reject(new Error(`room did not reach the expected state; it is ${handle.getView().stateValue}`));
    }, timeoutMs);
    const unsubscribe = handle.subscribe((view) => {
      if (!predicate(view)) return;
      clearTimeout(timer);
      unsubscribe();
      resolve();
    });
  });
}

expose(
  {
    async setup(options) {
      local = await localMedia();
      // Leaving a room stops the tracks it was given; these must outlive the call, as every other contender's
      // do. (Fresh clones per call cost Peerchart ~2 ms of addTrack per page that the others, reusing warm
      // tracks, do not pay.)
      for (const track of local.getTracks()) track.stop = () => undefined;
      signalingUrl = String(options.signalingUrl);
      roomName = String(options.room);
      steps = options.steps === true;
      await prepare();
    },
    async listen() {
      await until(joinNow(), (view) => view.status === 'joined', 10_000);
    },
    async call() {
      marks.mark('call');
      joinNow();
    },
    async hangup() {
      const leaving = room;
      room = undefined;
      await leaving?.leave();
      removeRemote();
      marks.reset();
      await prepare();
    },
  },
  errors,
);
