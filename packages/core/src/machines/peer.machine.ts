/**
 * # peerMachine — one WebRTC connection to one remote participant, as a statechart
 *
 * The room spawns one per remote peer. Every WebRTC step is a state (or a named transition), so the
 * Stately inspector shows exactly where a call is. Side effects live in the invoked `pc` actor
 * (`actors/peer-connection.ts`), driven by `PC.*` commands (`sendTo('pc', …)`) and answering with
 * `PC.*` events; the machine itself is pure and can be stepped with `transition()`. Each region is
 * one file under `peer/` (its doc comment tells its rules); `peer/setup.ts` has the named actions,
 * guards and delays, `peer/types.ts` the input, context and events.
 *
 * ## States
 * ```
 * peer
 * ├─ active                       (invokes `pc`; HANGUP / SIGNAL.BYE → closed from anywhere in here)
 * │  ├─ creatingPeerConnection    RTCPeerConnection built with the input's ICE servers → PC.CREATED
 * │  └─ session (parallel)
 * │     ├─ negotiation            the handshake (negotiation.ts), perfect negotiation
 * │     │  ├─ stable              caller: → creatingOffer (also at once when nextOffer holds changes);
 * │     │  │                      callee: SIGNAL.OFFER (receive offer) → settingRemoteOffer
 * │     │  ├─ creatingOffer       setLocalDescription() makes and applies the offer (restartIce() first for an ICE restart)
 * │     │  ├─ settingLocalOffer   confirms the applied offer → send offer (PEER.SIGNAL), held candidates after it
 * │     │                         (trickle both ways: local candidates follow their description, remote ones
 * │     │                         wait in `trickle` until a remote description exists)
 * │     │  ├─ awaitingAnswer      have-local-offer
 * │     │  ├─ settingRemoteAnswer setRemoteDescription(answer) → stable
 * │     │  ├─ settingRemoteOffer  setRemoteDescription(offer) (implicit rollback of a local offer)
 * │     │  ├─ creatingAnswer      setLocalDescription() makes and applies the answer
 * │     │  └─ settingLocalAnswer  confirms the applied answer → send answer → stable
 * │     ├─ nextOffer              nothingPending | changesPending | iceRestartPending (next-offer.ts)
 * │     ├─ trickle                buffering (remote candidates wait for a remote description) → flowing (trickle.ts)
 * │     ├─ remoteOffer            heeded | ignored (impolite side, offer collision) (trickle.ts)
 * │     ├─ connection             new → connecting → connected (stats polling) ⇄ disconnected (grace)
 * │     │                         → restarting (ICE restart, exponential backoff) (connection.ts)
 * │     └─ channel                connecting → open: the control channel (id 0): media-state (channel.ts)
 * │  and in every state of `active`: DATA.SEND to the pc actor (application data on channel id 1,
 * │  queued there until open and while its send buffer is full; what arrives or cannot be sent goes from
 * │  there to the input's `onAppData`, the room); in redialing and failed, a `data/peer-gone` error
 * ├─ redialing                    backoff, then a fresh RTCPeerConnection (redial.ts)
 * ├─ failed                       out of redials: visible with its error until REDIAL / DISMISS
 * └─ closed (final)               PEER.CLOSED emitted; output { peerId, reason }; the pc actor is stopped
 * ```
 *
 * ## Perfect negotiation
 * `polite` comes from the input. A remote offer that arrives while this side is making an offer or
 * holds a local offer (creatingOffer, settingLocalOffer, awaitingAnswer) is a collision: the
 * impolite side ignores it (remoteOffer.ignored, its candidates' errors swallowed), the polite side
 * applies it (setRemoteDescription rolls the local offer back), answers, and asks for its own
 * changes again (nextOffer). A remote offer during settingRemoteAnswer is *not* a collision
 * (isSettingRemoteAnswerPending): it is applied after the answer. Stray offers while answering and
 * answers outside awaitingAnswer are ignored on purpose. Changes arriving mid-negotiation wait in
 * nextOffer; the next return to stable turns them into a new offer, so every change is negotiated
 * and simultaneous offers always converge.
 *
 * The initiator starts its first offer on PC.CREATED (its tracks are added by then) instead of
 * waiting for the browser's negotiationneeded task; negotiationneeded is taken in `stable` only, and
 * browsers fire it only if still needed once the exchange is over, so it adds no second offer.
 * A non-initiator makes no offer before the first exchange is over (it waits for the remote offer);
 * after that either side may offer. `RESTART_ICE` / `RENEGOTIATE` (and a sender added or removed by
 * LOCAL.MEDIA) start an offer at once when stable, otherwise right after the exchange in progress.
 *
 * ## Local media
 * The room sends LOCAL.MEDIA (the media machine's tracks, screen and mute/camera-off state) on every
 * change; the peer diffs it against `sending`: a changed camera/microphone track is a replaceTrack
 * (no renegotiation), a screen share added or removed renegotiates, a changed mute/camera-off state
 * is a media-state message. Mute and camera-off are `track.enabled` in the media machine, so the
 * tracks keep flowing (silence, black frames). A redialled connection starts from `sending`.
 *
 * ## Hang-up and failure
 * HANGUP sends `bye` and closes; SIGNAL.BYE closes (`remote-hangup`); connectionState `closed` or
 * the data channel closing after it was open loses the connection with `peer/transport-lost`; a
 * failed createOffer/createAnswer/set*Description with `peer/negotiation-failed`; a connection
 * that cannot be built with `peer/create-failed`. A lost connection is redialled (a `bye` with
 * reason `redial` asks the remote to start over too) while attempts are left, then `failed`.
 *
 * ## Invariants (checked by peer.properties.test.ts over thousands of random event sequences)
 * - No event sequence throws; events a state cannot take are ignored.
 * - `closed` is absorbing (final; the pc actor is stopped, so its listeners and timers are gone).
 * - A remote candidate is never applied before a remote description exists (trickle.buffering).
 * - A local candidate is never signalled before the description it belongs to.
 * - An answer is only applied in awaitingAnswer (have-local-offer), never in stable.
 * - HANGUP leads from every non-final state to `closed`, sending `bye`.
 *
 * ## Emitted events (`actor.on`; the room listens through its child bridge)
 * `PEER.SIGNAL {peerId, message: offer|answer|candidate|bye}`, `data-error {code, to}` (DATA.SEND with no
 * connection: the room emits it as it is), `PEER.CLOSED {peerId, reason}`. Application data itself does not
 * pass through here: the pc actor hands it to `onAppData` (see the room).
 */
import type { ActorRefFrom } from 'xstate';
import { assign } from 'xstate';
import { channel, dataOn } from './peer/channel.js';
import { connection } from './peer/connection.js';
import { negotiation } from './peer/negotiation.js';
import { nextOffer } from './peer/next-offer.js';
import { activeOn, creatingPeerConnection, lifecycleStates } from './peer/redial.js';
import { initialContext, peerSetup } from './peer/setup.js';
import { remoteOffer, trickle } from './peer/trickle.js';

export * from './peer/types.js';

export const peerMachine = peerSetup.createMachine({
  id: 'peer',
  context: ({ input }) => initialContext(input),
  initial: 'active',
  output: ({ context }) => ({ peerId: context.peerId, reason: context.closeReason ?? 'hangup' }),
  // Outside `active` (redialing, failed) the next connection starts from it.
  on: { 'LOCAL.MEDIA': { actions: { type: 'applyLocalMedia', params: { toPc: false } } } },
  states: {
    active: {
      invoke: {
        id: 'pc',
        src: 'peerConnection',
        input: ({ context }) => ({
          peerId: context.peerId,
          createPeerConnection: context.createPeerConnection,
          onAppData: context.onAppData,
          iceServers: context.iceServers,
          iceTransportPolicy: context.iceTransportPolicy ?? 'all',
          sending: context.sending,
        }),
      },
      on: { ...activeOn, ...dataOn },
      initial: 'creatingPeerConnection',
      states: {
        creatingPeerConnection,
        session: {
          type: 'parallel',
          on: {
            'PC.OP_FAILED': {
              guard: 'candidateOrMediaFailed',
              description: 'Not fatal: counted',
              actions: assign({ candidateErrors: ({ context }) => context.candidateErrors + 1 }),
            },
            // ── Remote media ──
            'PC.REMOTE_STREAM': {
              actions: assign({
                remoteStreams: ({ context, event }) => [
                  ...context.remoteStreams.filter((entry) => entry.id !== event.streamId),
                  { id: event.streamId, stream: event.stream, trackIds: event.stream.getTracks().map((track) => track.id) },
                ],
              }),
            },
            'PC.REMOTE_TRACK_REMOVED': {
              actions: assign({
                remoteStreams: ({ context, event }) =>
                  event.streamEmpty
                    ? context.remoteStreams.filter((entry) => entry.id !== event.streamId)
                    : context.remoteStreams.map((entry) =>
                        entry.id === event.streamId ? { ...entry, trackIds: entry.trackIds.filter((id) => id !== event.trackId) } : entry,
                      ),
              }),
            },
          },
          states: { negotiation, nextOffer, trickle, remoteOffer, connection, channel },
        },
      },
    },
    ...lifecycleStates,
  },
});

export type PeerActorRef = ActorRefFrom<typeof peerMachine>;
