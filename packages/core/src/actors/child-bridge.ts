import { fromCallback, type AnyActorRef, type EventObject, type SnapshotFrom } from 'xstate';

export interface ChildBridgeInput<TActor extends AnyActorRef, TEvent extends EventObject> {
  actor: TActor;
  /** Turns each of the child's snapshots into an event for the parent (none when absent). */
  toEvent?: (snapshot: SnapshotFrom<TActor>) => TEvent;
  /**
   * The snapshots only feed the parent's view (which the parent filled when it spawned the child): send
   * the latest one once per task of the event loop, when the task's own work (the next step of a
   * handshake) is done, not after every step, the first one included.
   */
  latestPerTask?: boolean;
}

/**
 * The one way a child talks to its parent: its snapshots (`toEvent`) and all it emits (`emit(...)`)
 * become the parent's events; the child knows nothing of its parent. The snapshots also keep the
 * parent's snapshot in step with the child's: a child's snapshot changing does not change its
 * parent's, so without this a `useSelector(room, ...)` would not see a peer connect.
 */
export const childBridge = fromCallback<EventObject, ChildBridgeInput<AnyActorRef, EventObject>>(({ input, sendBack }) => {
  const { actor, toEvent, latestPerTask } = input;
  let last = actor.getSnapshot();
  let timer: ReturnType<typeof setTimeout> | undefined;
  const send = () => {
    timer = undefined;
    sendBack(toEvent!(last));
  };
  // A zero-delay timer is a later task: the page's pending callbacks (a description applied, a
  // candidate, a signaling message) run first, and a burst of steps becomes one event.
  const schedule = latestPerTask ? () => (timer ??= setTimeout(send)) : send;
  if (toEvent) schedule();
  // XState calls observers after every event, also when the snapshot stayed the same (a transition that
  // only emits or sends, e.g. each application data message): no news for the parent.
  const subscription = toEvent
    ? actor.subscribe({
        next: (snapshot) => {
          if (snapshot === last) return;
          last = snapshot;
          schedule();
        },
        error: () => {},
      })
    : null;
  const emitted = actor.on('*', (event: EventObject) => sendBack(event));
  return () => {
    clearTimeout(timer);
    subscription?.unsubscribe();
    emitted.unsubscribe();
  };
});
