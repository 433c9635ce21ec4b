/**
 * `?inspect` opened late: @statelyai/inspect's browser adapter keeps at most 5,000 events until its
 * window connects and drops the oldest first, so after a few minutes of a call the actor
 * registrations are gone. Offline: the real browser inspector with a stand-in `window` (it opens
 * the "inspector window" and receives its postMessages), fed more than 5,000 events by real actors.
 */
import { createBrowserInspector, type StatelyInspectionEvent } from '@statelyai/inspect';
import { describe, expect, it } from 'vitest';
import { assign, createActor, createMachine, sendTo, setup, type AnyActorRef } from 'xstate';
import { loadBrowserInspector, type InspectCallback } from './join-room.js';

/** The page's window as the adapter uses it: open() a target, listen for its messages. */
class FakeWindow extends EventTarget {
  readonly target = { closed: false, posted: [] as StatelyInspectionEvent[], focus() {}, postMessage: (m: StatelyInspectionEvent) => this.target.posted.push(m) };
  open() {
    return this.target;
  }
  /** What the hosted inspector posts once it is listening. */
  connect() {
    this.dispatchEvent(Object.assign(new Event('message'), { data: { type: '@statelyai.connected' } }));
  }
}

const ticker = createMachine({ id: 'ticker', context: { ticks: 0 }, on: { TICK: { actions: assign({ ticks: ({ context }) => context.ticks + 1 }) } } });
const call = setup({ actors: { ticker } }).createMachine({
  id: 'call',
  initial: 'starting',
  invoke: { id: 'stats', src: 'ticker' },
  states: {
    // `gone` lives only here: leaving the state stops it, so it must not be announced later.
    starting: { invoke: { id: 'gone', src: 'ticker' }, on: { GO: 'running' } },
    running: { on: { TICK: { actions: sendTo('stats', { type: 'TICK' }) } } },
  },
});

/** Starts a call actor reporting to `inspect`, ticks it `ticks` times, and returns once the inspector has had every event. */
async function runCall(inspect: InspectCallback, ticks: number) {
  const actor = createActor(call, { inspect }).start();
  actor.send({ type: 'GO' });
  for (let i = 0; i < ticks; i++) actor.send({ type: 'TICK' });
  // In Node @statelyai/inspect hands each event on in its own setTimeout(0); timers of equal delay
  // run in the order they were set, so this one runs after every one of them.
  await new Promise((resolve) => setTimeout(resolve, 0));
  return actor;
}

const registrations = (posted: StatelyInspectionEvent[]) => posted.filter((e): e is Extract<StatelyInspectionEvent, { type: '@xstate.actor' }> => e.type === '@xstate.actor');

describe('?inspect opened after more than 5,000 events', () => {
  it('the plain inspector has lost every registration by then (the bug this guards against)', async () => {
    const browser = new FakeWindow();
    const inspector = createBrowserInspector({ autoStart: false, maxDeferredEvents: 5_000, window: browser as unknown as Window });
    const actor = await runCall((event) => inspector.inspect.next?.(event), 3_000);
    inspector.start();
    browser.connect();
    expect(browser.target.posted.length).toBe(5_000);
    expect(registrations(browser.target.posted)).toEqual([]);
    actor.stop();
  });

  it('announces every live actor again, with its definition and current snapshot, when the window connects', async () => {
    const browser = new FakeWindow();
    const inspector = await loadBrowserInspector(browser as unknown as Window);
    const actor = await runCall(inspector.inspect, 3_000);
    inspector.open();
    browser.connect();
    const announced = registrations(browser.target.posted);
    const stats = actor.getSnapshot().children.stats as AnyActorRef;
    expect(announced.map((e) => e.sessionId)).toEqual([actor.sessionId, stats.sessionId]); // parent first; the stopped child is not
    expect(announced.map((e) => e.name)).toEqual(['call', 'ticker']);
    expect(announced[1]?.parentId).toBe(actor.sessionId);
    expect(JSON.parse(announced[0]?.definition ?? '{}')).toMatchObject({ id: 'call' });
    expect(announced[1]?.snapshot).toMatchObject({ status: 'active', context: { ticks: 3_000 } });
    // They come after the replayed buffer, so the inspector shows the actors as they are now.
    expect(browser.target.posted.slice(-2)).toEqual(announced);
    actor.stop();
  });
});
