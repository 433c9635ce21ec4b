/**
 * Model coverage for any XState v5 machine, from paths generated with `xstate/graph`: which state
 * nodes and which transitions (every `on`, `after` and guarded alternative, one by one) the
 * generated test paths exercise. Pure: paths are stepped as with `transition()` (pure-step.ts), nothing runs.
 *
 * Paths: `getShortestPaths` gives the shortest path to every distinct (serialized) state; each is
 * then extended by every event of the alphabet, so every transition enabled anywhere on the way is
 * taken once. Coverage is counted per TransitionDefinition object:
 * (the very transitions `transition()` takes, microstep by microstep, for that event, for the events
 * the machine raises meanwhile and eventless `always` ones, as the inspection's `@xstate.microstep`
 * events name them); eventless transitions of the initial snapshot, from the initial microsteps.
 *
 * Reused by the room machine's model test: give it the machine, an event alphabet and one run per
 * interesting input (a machine's reachable states may depend on its input).
 */
import { getInitialMicrosteps, type AnyMachineSnapshot, type AnyStateMachine, type EventObject } from 'xstate';
import { getShortestPaths, getStateNodes } from 'xstate/graph';
import { pureStepper } from './pure-step.js';

export interface CoverageRun {
  /** Shown in the report. */
  label: string;
  input: unknown;
  /** The event alphabet, fixed or per snapshot. */
  events: readonly EventObject[] | ((snapshot: AnyMachineSnapshot) => readonly EventObject[]);
  /**
   * How snapshots are told apart (default: state value + context as JSON). A projection that keeps
   * only what guards read keeps the graph small without losing a transition.
   */
  serializeState?: (snapshot: AnyMachineSnapshot) => string;
}

export interface CoverageCount {
  covered: number;
  total: number;
  percent: number;
  /** What was never reached, for the failure message. */
  missing: string[];
}

export interface ModelCoverage {
  states: CoverageCount;
  transitions: CoverageCount;
  /** Generated paths walked (shortest paths, each extended by every event). */
  paths: number;
}

type TransitionDefinition = ReturnType<AnyStateMachine['getTransitionData']>[number];

function describeTransition(transitionDef: TransitionDefinition, index: number): string {
  const guard = transitionDef.guard;
  const guardText =
    guard === undefined ? '' : typeof guard === 'string' ? `[${guard}]` : typeof guard === 'function' ? '[inline]' : `[${guard.type}]`;
  const targets = transitionDef.target?.map((node) => node.id).join(',') ?? '(internal)';
  return `${transitionDef.source.id} --${transitionDef.eventType}${guardText}#${index}--> ${targets}`;
}

const count = (covered: number, total: number, missing: string[]): CoverageCount => ({
  covered,
  total,
  percent: total === 0 ? 100 : Math.floor((covered / total) * 1000) / 10,
  missing,
});

export function measureModelCoverage(machine: AnyStateMachine, runs: readonly CoverageRun[]): ModelCoverage {
  const stateNodes = [machine.root, ...getStateNodes(machine.root)];
  const allTransitions = new Map<TransitionDefinition, string>();
  for (const node of stateNodes) {
    for (const definitions of node.transitions.values()) {
      definitions.forEach((definition: TransitionDefinition, index: number) =>
        allTransitions.set(definition, describeTransition(definition, index)),
      );
    }
    node.always?.forEach((definition: TransitionDefinition, index: number) =>
      allTransitions.set(definition, describeTransition(definition, index)),
    );
  }

  const coveredStates = new Set<string>();
  const coveredTransitions = new Set<TransitionDefinition>();
  let paths = 0;

  for (const run of runs) {
    const stepper = pureStepper(machine, run.input);
    const alphabet = (snapshot: AnyMachineSnapshot) => (typeof run.events === 'function' ? run.events(snapshot) : run.events);
    const visit = (snapshot: AnyMachineSnapshot) => {
      for (const node of snapshot._nodes) coveredStates.add(node.id);
    };
    // Every microstep of a step names the transitions it took: those for the event, for the events
    // the machine raises meanwhile, and eventless ones.
    let recording = false;
    const recorder = pureStepper(machine, run.input, (inspection) => {
      if (recording && inspection.type === '@xstate.microstep') {
        for (const definition of inspection._transitions as TransitionDefinition[]) coveredTransitions.add(definition);
      }
    });
    const take = (from: AnyMachineSnapshot, event: EventObject) => {
      if (from.status !== 'active') return;
      recording = true;
      recorder.step(from, event);
      recording = false;
    };
    // A transient state (left at once by an eventless `always` transition) never rests in a snapshot:
    // the initial microsteps show it, and which of its `always` alternatives was taken.
    const microsteps = getInitialMicrosteps(machine, run.input).map(([snapshot]) => snapshot as AnyMachineSnapshot);
    microsteps.forEach((snapshot, index) => {
      visit(snapshot);
      const next = microsteps[index + 1];
      if (!next) return;
      for (const node of snapshot._nodes) {
        for (const definition of node.always ?? []) {
          if (definition.target?.every((target) => next._nodes.includes(target))) coveredTransitions.add(definition);
        }
      }
    });
    const generated = getShortestPaths(machine, {
      input: run.input,
      events: alphabet,
      ...(run.serializeState ? { serializeState: (snapshot: AnyMachineSnapshot) => run.serializeState!(snapshot) } : {}),
    });
    for (const path of generated) {
      let previous: AnyMachineSnapshot | null = null;
      for (const step of path.steps) {
        const state = step.state as AnyMachineSnapshot;
        if (previous) take(previous, step.event);
        visit(state);
        previous = state;
      }
      const last = path.state as AnyMachineSnapshot;
      visit(last);
      if (last.status !== 'active') {
        paths += 1;
        continue;
      }
      for (const event of alphabet(last)) {
        take(last, event);
        visit(stepper.step(last, event)[0] as AnyMachineSnapshot);
        paths += 1;
      }
    }
  }

  const missingStates = stateNodes.map((node) => node.id).filter((id) => !coveredStates.has(id));
  const missingTransitions = [...allTransitions].filter(([definition]) => !coveredTransitions.has(definition)).map(([, text]) => text);
  return {
    states: count(stateNodes.length - missingStates.length, stateNodes.length, missingStates),
    transitions: count(allTransitions.size - missingTransitions.length, allTransitions.size, missingTransitions),
    paths,
  };
}

/** One line per measure, e.g. `peer: states 24/24 (100%), transitions 98/98 (100%), 3120 paths`. */
export function formatCoverage(label: string, coverage: ModelCoverage): string {
  const { states, transitions } = coverage;
  return (
    `${label}: states ${states.covered}/${states.total} (${states.percent}%), ` +
    `transitions ${transitions.covered}/${transitions.total} (${transitions.percent}%), ${coverage.paths} generated paths`
  );
}
