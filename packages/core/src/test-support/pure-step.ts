/**
 * Pure stepping of a machine, like xstate's `initialTransition()` / `transition()`, for tests that
 * take tens of thousands of steps.
 *
 * Why not those two: each call builds a throwaway actor, and that actor's constructor computes an
 * initial snapshot WITHOUT input. For a machine whose context is built from its input (the peer's,
 * the room's) that throws inside xstate on every single step — an Error with a captured (and, under
 * vitest, source-mapped) stack trace each time, which was most of the property test's run time.
 * One inert scope per input, built the same way `transition()` builds its own, takes the very same
 * pure step: actions are collected, never executed; invoked actors are created, never started.
 */
import {
  createActor,
  type AnyActorScope,
  type AnyStateMachine,
  type EventFrom,
  type ExecutableActionsFrom,
  type InputFrom,
  type InspectionEvent,
  type SnapshotFrom,
} from 'xstate';

export type PureStep<TMachine extends AnyStateMachine> = [SnapshotFrom<TMachine>, Array<ExecutableActionsFrom<TMachine>>];

export interface PureStepper<TMachine extends AnyStateMachine> {
  /** The initial snapshot and its entry actions (as `initialTransition(machine, input)`). */
  initial(): PureStep<TMachine>;
  /** The next snapshot and the actions of this step (as `transition(machine, snapshot, event)`). */
  step(snapshot: SnapshotFrom<TMachine>, event: EventFrom<TMachine>): PureStep<TMachine>;
  /** Every snapshot of this step, one per microstep (eventless `always` transitions included). */
  microsteps(snapshot: SnapshotFrom<TMachine>, event: EventFrom<TMachine>): SnapshotFrom<TMachine>[];
}

export function pureStepper<TMachine extends AnyStateMachine>(
  machine: TMachine,
  input: InputFrom<TMachine>,
  /** Sees the inspection events of every step (`@xstate.microstep` names the transitions each microstep took). */
  inspect?: (event: InspectionEvent) => void,
): PureStepper<TMachine> {
  const self = createActor(machine, { input, ...(inspect ? { inspect } : {}) });
  let collected: Array<ExecutableActionsFrom<TMachine>> = [];
  const scope: AnyActorScope = {
    self,
    id: '',
    sessionId: '',
    system: self.system,
    logger: () => {},
    defer: () => {},
    emit: () => {},
    stopChild: () => {},
    actionExecutor: (action) => {
      collected.push(action as ExecutableActionsFrom<TMachine>);
    },
  };
  const collect = (run: () => SnapshotFrom<TMachine>): PureStep<TMachine> => {
    collected = [];
    const snapshot = run();
    return [snapshot, collected];
  };
  return {
    initial: () => collect(() => machine.getInitialSnapshot(scope, input) as SnapshotFrom<TMachine>),
    step: (snapshot, event) => collect(() => machine.transition(snapshot, event, scope) as SnapshotFrom<TMachine>),
    microsteps: (snapshot, event) => machine.microstep(snapshot, event, scope) as SnapshotFrom<TMachine>[],
  };
}
