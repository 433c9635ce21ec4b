import { assign, createActor, emit, setup, stopChild, type AnyActorRef } from 'xstate';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { childBridge } from './child-bridge.js';

const child = setup({}).createMachine({
  context: { n: 0 },
  on: {
    BUMP: { actions: assign({ n: ({ context }) => context.n + 1 }) },
    // A transition that only emits: XState still calls the child's observers, with the same snapshot.
    PING: { actions: emit({ type: 'PONG' }) },
  },
});

const parentOf = (latestPerTask: boolean) => setup({
  types: { context: {} as { child: AnyActorRef | null; updates: number[]; pongs: number } },
  actors: { child, bridge: childBridge },
}).createMachine({
  context: { child: null, updates: [], pongs: 0 },
  entry: assign(({ spawn }) => {
    const ref = spawn('child');
    spawn('bridge', { id: 'bridge', input: { actor: ref, latestPerTask, toEvent: (snapshot: { context: { n: number } }) => ({ type: 'UPDATE', n: snapshot.context.n }) } });
    return { child: ref };
  }),
  on: {
    UPDATE: { actions: assign({ updates: ({ context, event }) => [...context.updates, (event as unknown as { n: number }).n] }) },
    PONG: { actions: assign({ pongs: ({ context }) => context.pongs + 1 }) },
    UNBRIDGE: { actions: stopChild('bridge') },
  },
});
const parent = parentOf(false);

describe('childBridge', () => {
  it("forwards the child's first snapshot, each changed one and what it emits, but not an unchanged snapshot", () => {
    const actor = createActor(parent).start();
    const ref = actor.getSnapshot().context.child!;
    ref.send({ type: 'PING' });
    ref.send({ type: 'PING' });
    ref.send({ type: 'BUMP' });
    ref.send({ type: 'PING' });
    expect(actor.getSnapshot().context.pongs).toBe(3);
    expect(actor.getSnapshot().context.updates).toEqual([0, 1]);
  });
});

describe('childBridge with latestPerTask', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('forwards the latest snapshot once per task, the first one too, and what the child emits at once', () => {
    // The bridge's next task is a zero-delay timer: fake timers say exactly when that task runs.
    vi.useFakeTimers();
    const actor = createActor(parentOf(true)).start();
    const ref = actor.getSnapshot().context.child!;
    // The parent read the child's first snapshot when it spawned it: no event for it in the spawning step.
    expect(actor.getSnapshot().context.updates).toEqual([]);
    vi.runOnlyPendingTimers();
    expect(actor.getSnapshot().context.updates).toEqual([0]);
    ref.send({ type: 'BUMP' });
    ref.send({ type: 'PING' });
    ref.send({ type: 'BUMP' });
    ref.send({ type: 'BUMP' });
    expect(actor.getSnapshot().context.pongs).toBe(1);
    expect(actor.getSnapshot().context.updates).toEqual([0]);
    vi.runOnlyPendingTimers();
    expect(actor.getSnapshot().context.updates).toEqual([0, 3]);
    // A task in which the snapshot did not change sends nothing.
    ref.send({ type: 'PING' });
    vi.runOnlyPendingTimers();
    expect(actor.getSnapshot().context.updates).toEqual([0, 3]);
  });

  it('sends nothing after it was stopped, also a change still waiting for its task', () => {
    vi.useFakeTimers();
    const actor = createActor(parentOf(true)).start();
    const ref = actor.getSnapshot().context.child!;
    vi.runOnlyPendingTimers();
    ref.send({ type: 'BUMP' });
    actor.send({ type: 'UNBRIDGE' } as never);
    expect(vi.getTimerCount()).toBe(0);
    vi.runOnlyPendingTimers();
    expect(actor.getSnapshot().context.updates).toEqual([0]);
  });
});
