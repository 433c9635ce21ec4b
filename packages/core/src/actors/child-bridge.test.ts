import { assign, createActor, emit, setup, type AnyActorRef } from 'xstate';
import { describe, expect, it } from 'vitest';
import { childBridge } from './child-bridge.js';

const child = setup({}).createMachine({
  context: { n: 0 },
  on: {
    BUMP: { actions: assign({ n: ({ context }) => context.n + 1 }) },
    // A transition that only emits: XState still calls the child's observers, with the same snapshot.
    PING: { actions: emit({ type: 'PONG' }) },
  },
});

const parent = setup({
  types: { context: {} as { child: AnyActorRef | null; updates: number[]; pongs: number } },
  actors: { child, bridge: childBridge },
}).createMachine({
  context: { child: null, updates: [], pongs: 0 },
  entry: assign(({ spawn }) => {
    const ref = spawn('child');
    spawn('bridge', { input: { actor: ref, forwardEmitted: true, toEvent: (snapshot: { context: { n: number } }) => ({ type: 'UPDATE', n: snapshot.context.n }) } });
    return { child: ref };
  }),
  on: {
    UPDATE: { actions: assign({ updates: ({ context, event }) => [...context.updates, (event as unknown as { n: number }).n] }) },
    PONG: { actions: assign({ pongs: ({ context }) => context.pongs + 1 }) },
  },
});

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
