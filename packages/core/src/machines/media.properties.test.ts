/**
 * Properties of the media machine over random event sequences, stepped purely (see
 * test-support/pure-step.ts). The test plays the browser: a pending getUserMedia/getDisplayMedia
 * resolves with the tracks it was asked for, or rejects with a DOMException name; the user sends any
 * command at any time; tracks end; and stale results arrive in states that no longer wait for them.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { AnyEventObject } from 'xstate';
import { EVERY_ROOM_COMMAND } from '../test-support/commands.js';
import { FakeStream, FakeTrack, mediaError } from '../test-support/fake-media.js';
import { pureStepper, type PureStep } from '../test-support/pure-step.js';
import { mediaMachine, selectLocalMedia, type MediaEvent, type MediaRequest } from './media.machine.js';

type Snapshot = PureStep<typeof mediaMachine>[0];

const COMMANDS = EVERY_ROOM_COMMAND.filter((command) => /^(MEDIA|MIC|CAMERA|SCREEN)\./.test(command.type));
const FAILURES = ['NotAllowedError', 'NotFoundError', 'NotReadableError', 'OverconstrainedError', 'AbortError', 'TypeError'];

type Step =
  | { kind: 'command'; pick: number }
  | { kind: 'userMedia'; ok: boolean; failure: number }
  | { kind: 'displayMedia'; ok: boolean; failure: number }
  | { kind: 'trackEnded'; screen: boolean }
  | { kind: 'release' };

const result = <K extends 'userMedia' | 'displayMedia'>(kind: K) =>
  fc.record({ kind: fc.constant(kind), ok: fc.boolean(), failure: fc.nat({ max: FAILURES.length - 1 }) });
const stepArb: fc.Arbitrary<Step> = fc.oneof(
  { weight: 6, arbitrary: fc.record({ kind: fc.constant('command' as const), pick: fc.nat({ max: COMMANDS.length - 1 }) }) },
  { weight: 4, arbitrary: result('userMedia') },
  { weight: 2, arbitrary: result('displayMedia') },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('trackEnded' as const), screen: fc.boolean() }) },
  { weight: 1, arbitrary: fc.constant({ kind: 'release' as const }) },
);

const requestArb = fc.oneof(
  fc.constant(false as const),
  fc.record({ audio: fc.boolean(), video: fc.boolean() }).filter((r): r is MediaRequest => r.audio || r.video),
);

/** What getUserMedia resolves with for the request pending in `snapshot` (a browser always gives the kinds asked for). */
function userMediaStream(snapshot: Snapshot): FakeStream {
  const switching = snapshot.matches({ live: { devices: 'switching' } });
  const request = snapshot.context.request;
  const audio = !switching && (request === false || request.audio);
  const video = switching || request === false || request.video;
  return new FakeStream([...(audio ? [new FakeTrack('audio')] : []), ...(video ? [new FakeTrack('video')] : [])]);
}

function simulate(request: MediaRequest | false, steps: Step[]): Snapshot[] {
  const never = () => new Promise<MediaStream>(() => {});
  const stepper = pureStepper(mediaMachine, { request, getUserMedia: never, getDisplayMedia: never, watchDevices: () => () => {} });
  let [snapshot] = stepper.initial();
  const snapshots = [snapshot];
  for (const step of steps) {
    let event: AnyEventObject;
    switch (step.kind) {
      case 'command':
        event = COMMANDS[step.pick]!;
        break;
      case 'userMedia':
        event = step.ok
          ? { type: 'USER_MEDIA.DONE', stream: userMediaStream(snapshot) }
          : { type: 'USER_MEDIA.FAILED', error: mediaError(FAILURES[step.failure]!) };
        break;
      case 'displayMedia':
        event = step.ok
          ? { type: 'DISPLAY_MEDIA.DONE', stream: new FakeStream([new FakeTrack('video', 'screen')]) }
          : { type: 'DISPLAY_MEDIA.FAILED', error: mediaError(FAILURES[step.failure]!) };
        break;
      case 'trackEnded':
        event = { type: 'MEDIA.TRACK_ENDED', stream: (step.screen ? snapshot.context.screenStream : snapshot.context.stream) ?? new FakeStream([]) };
        break;
      case 'release':
        event = { type: 'MEDIA.RELEASE' };
        break;
    }
    [snapshot] = stepper.step(snapshot, event as MediaEvent);
    snapshots.push(snapshot);
  }
  return snapshots;
}

const RUNS = 1_000;
const sequences = fc.tuple(requestArb, fc.array(stepArb, { minLength: 1, maxLength: 40 }));

describe(`media machine properties (${RUNS} random sequences, pure transition())`, () => {
  it('never reports live media without a track, nor a track outside live', () => {
    let live = 0;
    fc.assert(
      fc.property(sequences, ([request, steps]) => {
        for (const snapshot of simulate(request, steps)) {
          const view = selectLocalMedia(snapshot);
          if (snapshot.matches('live')) {
            live += 1;
            expect(snapshot.context.stream?.getTracks().length).toBeGreaterThan(0);
            expect(view.hasAudio || view.hasVideo).toBe(true);
            // A camera switch replaces the video track: never two.
            expect(snapshot.context.stream?.getVideoTracks().length).toBeLessThanOrEqual(1);
          } else {
            expect(view.hasAudio || view.hasVideo).toBe(false);
            expect(view.sharingScreen).toBe(false);
          }
          if (view.receiveOnly) expect(view.stream).toBeNull();
          if (snapshot.matches('failed')) expect(snapshot.context.error?.actions.length).toBeGreaterThan(0);
        }
      }),
      { numRuns: RUNS },
    );
    expect(live).toBeGreaterThan(500); // the sequences do reach live, often
  });
});
