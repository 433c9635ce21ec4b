/**
 * Model coverage of the media machine: paths generated with xstate/graph (stepped purely, nothing
 * runs) must reach every state node and take every transition. The alphabet is every media command
 * plus what its invoked actors can report: a stream, or each getUserMedia/getDisplayMedia error name.
 * Prints the coverage and fails below 100 %.
 */
import { describe, expect, it } from 'vitest';
import type { AnyEventObject, AnyMachineSnapshot } from 'xstate';
import { getStateNodes } from 'xstate/graph';
import type { RoomCommand } from '../commands.js';
import { EVERY_ROOM_COMMAND } from '../test-support/commands.js';
import { DEFAULT_DEVICES, FakeStream, FakeTrack, mediaError } from '../test-support/fake-media.js';
import { formatCoverage, measureModelCoverage } from '../test-support/model-coverage.js';
import { mediaMachine, type MediaContext, type MediaEvent, type MediaInput } from './media.machine.js';

const ERROR_NAMES = ['NotAllowedError', 'SecurityError', 'NotFoundError', 'NotReadableError', 'AbortError', 'OverconstrainedError', 'TypeError'];

/** The room's media commands (as the room forwards them), plus the room's order to release everything. */
const isMediaCommand = (command: RoomCommand): command is Extract<MediaEvent, RoomCommand> =>
  /^(MEDIA|MIC|CAMERA|SCREEN)\./.test(command.type);
const COMMANDS: MediaEvent[] = [
  ...EVERY_ROOM_COMMAND.filter(isMediaCommand),
  { type: 'MEDIA.RELEASE' },
];

/** Every invoked media request's events, from the sources the definition invokes, so a new request is in the alphabet at once. */
const REQUEST_APIS = [
  ...new Set(
    getStateNodes(mediaMachine.root).flatMap((node) =>
      node.invoke.flatMap((invoke) => (invoke.src === 'userMedia' ? ['USER_MEDIA'] : invoke.src === 'displayMedia' ? ['DISPLAY_MEDIA'] : [])),
    ),
  ),
];

const cameraAndMic = () => new FakeStream([new FakeTrack('audio'), new FakeTrack('video')]) as unknown as MediaStream;
/** A stream whose camera was already unplugged (its track ended). */
const unpluggedCamera = () => {
  const camera = new FakeTrack('video');
  camera.stop();
  return new FakeStream([new FakeTrack('audio'), camera]) as unknown as MediaStream;
};

function events(snapshot: AnyMachineSnapshot): AnyEventObject[] {
  const { screenStream } = snapshot.context as MediaContext;
  return [
    ...COMMANDS,
    ...REQUEST_APIS.flatMap((api) => [
      { type: `${api}.DONE`, stream: cameraAndMic() },
      { type: `${api}.DONE`, stream: unpluggedCamera() },
      ...ERROR_NAMES.map((name) => ({ type: `${api}.FAILED`, error: mediaError(name) })),
    ]),
    // The browser's own "Stop sharing" ends the screen track; a track of another stream must not stop it.
    { type: 'MEDIA.TRACK_ENDED', stream: screenStream ?? cameraAndMic() },
    { type: 'MEDIA.TRACK_ENDED', stream: cameraAndMic() },
    // devicechange: the devices in use still listed, or all of them gone.
    { type: 'DEVICES.CHANGED', devices: DEFAULT_DEVICES },
    { type: 'DEVICES.CHANGED', devices: [] },
  ];
}

/** What guards and targets depend on; streams count only as present or not, and whether a track of them ended. */
function serializeState(snapshot: AnyMachineSnapshot): string {
  const c = snapshot.context as MediaContext;
  const ended = c.stream?.getTracks().some((track) => track.readyState === 'ended') ?? false;
  return JSON.stringify([snapshot.value, c.request, c.stream !== null, ended, c.screenStream !== null, c.error?.code ?? null]);
}

const base: Omit<MediaInput, 'request'> = {
  getUserMedia: () => new Promise(() => {}),
  getDisplayMedia: () => new Promise(() => {}),
  watchDevices: () => () => {},
};

describe('media machine model coverage (xstate/graph)', () => {
  it('generated paths reach every state and take every transition (100 %)', () => {
    const coverage = measureModelCoverage(mediaMachine, [
      { label: 'camera + microphone', input: { ...base, request: { audio: true, video: true } }, events, serializeState },
      { label: 'receive-only', input: { ...base, request: false }, events, serializeState },
    ]);
    console.log(formatCoverage('media', coverage));
    expect(coverage.states.missing).toEqual([]);
    expect(coverage.transitions.missing).toEqual([]);
  });
});
