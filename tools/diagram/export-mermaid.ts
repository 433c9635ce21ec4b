/**
 * Renders Peerchart's statecharts as Mermaid `stateDiagram-v2`, straight from the machine definitions
 * (`machine.root`), into docs/machine.md. Run `npm run diagram -w tools`; a test fails when the
 * committed file is stale.
 */
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { mediaMachine, peerMachine, roomMachine, signalingMachine } from '@peerchart/core';
import type { AnyStateMachine } from 'xstate';

/** The parts of an xstate StateNode the exporter reads. */
interface Node {
  key: string;
  path: string[];
  type: 'atomic' | 'compound' | 'parallel' | 'final' | 'history';
  description?: string;
  states: Record<string, Node>;
  initial?: { target: Node[] };
  transitions: Map<string, Transition[]>;
  always?: Transition[];
}
interface Transition {
  eventType: string;
  target?: Node[];
  guard?: unknown;
  description?: string;
  actions: unknown[];
}

export const DOC_PATH = fileURLToPath(new URL('../../docs/machine.md', import.meta.url));

const MACHINES: { title: string; machine: AnyStateMachine; about: string }[] = [
  { title: 'Room', machine: roomMachine, about: 'One call in one room: media, signaling and membership as parallel regions (the join waits for the other two), a peer per member.' },
  { title: 'Peer', machine: peerMachine, about: 'One remote participant: perfect negotiation, ICE with restarts, data channel.' },
  { title: 'Signaling', machine: signalingMachine, about: 'The signaling socket: greet, resume, reconnect with backoff.' },
  { title: 'Media', machine: mediaMachine, about: 'Camera, microphone and screen: acquisition failures with ways out, mute, switch, share.' },
];

const idOf = (node: Node) => (node.path.length ? node.path.join('_') : 'root').replace(/[^A-Za-z0-9_]/g, '_');

function guardName(guard: unknown): string | null {
  if (!guard) return null;
  if (typeof guard === 'string') return guard;
  if (typeof guard === 'object' && 'type' in guard) {
    const { type, params } = guard as { type: unknown; params?: unknown };
    // A parameterized guard shows its parameters, e.g. `errorIs NotFoundError`.
    const shown = typeof params === 'string' ? params : params && typeof params === 'object' ? Object.values(params).flat().join('|') : '';
    return shown ? `${String(type)} ${shown}` : String(type);
  }
  // xstate's and()/or()/not()/stateIn() are functions carrying their operands; other functions are inline guards.
  const { guards, name, stateValue } = guard as { guards?: unknown[]; name: string; stateValue?: unknown };
  if (stateValue !== undefined) return `in ${statePaths(stateValue).join(' & ')}`;
  if (guards) {
    const operands = guards.map(guardName);
    if (name === 'not') return `!${operands[0]}`;
    return operands.join(name === 'and' ? ' && ' : ' || ');
  }
  return 'guarded';
}

/** `{ call: { media: 'settled' } }` → `call.media.settled`, one path per leaf. */
function statePaths(value: unknown): string[] {
  if (typeof value === 'string') return [value];
  return Object.entries(value as Record<string, unknown>).flatMap(([key, child]) => statePaths(child).map((path) => `${key}.${path}`));
}

/** Named actions (`'syncPeers'`, `{ type: 'addPeers', params }`); inline ones and xstate's built-ins have no name worth showing. */
function actionNames(actions: unknown[]): string[] {
  return actions.flatMap((action) => {
    const type = typeof action === 'string' ? action : typeof action === 'object' && action !== null && 'type' in action ? action.type : null;
    return typeof type === 'string' && !type.startsWith('xstate.') ? [type] : [];
  });
}

function eventLabel(eventType: string): string {
  const after = /^xstate\.after\.([^.]+)\./.exec(eventType);
  if (after) return `after ${after[1]}`;
  // Invoked actors' ids are generated (e.g. `0.media.acquiring`): the state already says which one.
  if (eventType.startsWith('xstate.done.actor.')) return 'done';
  if (eventType.startsWith('xstate.error.actor.')) return 'error';
  return eventType;
}

/** The innermost node containing both `a` and `b`: the block an edge between them is written in. */
function commonAncestorPath(a: Node, b: Node): string {
  const common: string[] = [];
  for (let i = 0; i < Math.min(a.path.length, b.path.length) - 1 && a.path[i] === b.path[i]; i++) common.push(a.path[i] as string);
  return common.join('.');
}

const isTargetless = (transition: Transition) => !transition.target?.length;

/**
 * `EVENT [guard]`, then ` / ` and what the transition does: its description, or (a targetless one,
 * which only runs actions) the names of its actions. `;` would end a Mermaid statement.
 */
const edgeLabel = (transition: Transition) => {
  const guard = guardName(transition.guard);
  const event = transition.eventType ? eventLabel(transition.eventType) : 'always';
  const does = transition.description ?? (isTargetless(transition) ? actionNames(transition.actions).join(', ') : '');
  return `${guard ? `${event} [${guard}]` : event}${does ? ` / ${does}` : ''}`.replaceAll(';', ',');
};

/** Transitions declared on the machine itself: taken from any state, so listed beside the diagram. */
export function fromAnyState(machine: AnyStateMachine): string[] {
  const root = machine.root as unknown as Node;
  return [...root.transitions.values()]
    .flat()
    .map((transition) => `\`${edgeLabel(transition)}\`${isTargetless(transition) ? '' : ` → ${(transition.target ?? []).map((t) => t.path.join('.')).join(', ')}`}`);
}

export function toMermaid(machine: AnyStateMachine): string {
  const root = machine.root as unknown as Node;
  const edges = new Map<string, string[]>();
  const addEdge = (from: Node, to: Node, label: string) => {
    if (from === root) return; // see fromAnyState
    const block = commonAncestorPath(from, to);
    const line = `${idOf(from)} --> ${idOf(to)}${label ? `: ${label}` : ''}`;
    const list = edges.get(block) ?? [];
    if (!list.includes(line)) list.push(line);
    edges.set(block, list);
  };
  const visit = (node: Node) => {
    const transitions = [...node.transitions.values()].flat().concat(node.always ?? []);
    for (const transition of transitions) {
      // A targetless transition stays in its state: drawn as a loop.
      for (const target of isTargetless(transition) ? [node] : (transition.target ?? [])) addEdge(node, target, edgeLabel(transition));
    }
    Object.values(node.states).forEach(visit);
  };
  visit(root);

  const lines: string[] = ['stateDiagram-v2'];
  const block = (node: Node, indent: string) => {
    const children = Object.values(node.states);
    const initial = node.initial?.target[0];
    if (node.type !== 'parallel' && initial) lines.push(`${indent}[*] --> ${idOf(initial)}`);
    children.forEach((child, index) => {
      if (node.type === 'parallel' && index > 0) lines.push(`${indent}--`);
      const id = idOf(child);
      lines.push(`${indent}state "${child.key}" as ${id}`);
      if (Object.keys(child.states).length) {
        lines.push(`${indent}state ${id} {`);
        block(child, `${indent}  `);
        lines.push(`${indent}}`);
      }
      if (child.type === 'final') lines.push(`${indent}${id} --> [*]`);
    });
    for (const edge of edges.get(node.path.join('.')) ?? []) lines.push(`${indent}${edge}`);
  };
  block(root, '  ');
  return lines.join('\n');
}

export function renderMachineDoc(): string {
  const sections = MACHINES.map(({ title, machine, about }) => {
    const anyState = fromAnyState(machine);
    const anyText = anyState.length ? `\nFrom any state: ${anyState.join('; ')}.\n` : '';
    return `## ${title} (\`${machine.id}\`)\n\n${about}\n\n\`\`\`mermaid\n${toMermaid(machine)}\n\`\`\`\n${anyText}`;
  });
  return [
    '# Peerchart statecharts',
    '',
    '<!-- Generated by tools/diagram/export-mermaid.ts from the machine definitions; do not edit. Regenerate: npm run diagram -w tools -->',
    '',
    'Edges read `EVENT [guard] / what it does` (the transition\'s description, or the actions of one that stays in its state, drawn as a loop); `after X` is a delayed transition, `always` an eventless one, `in a.b` a guard on another region\'s state.',
    '',
    ...sections,
  ].join('\n');
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  writeFileSync(DOC_PATH, renderMachineDoc());
  console.log(`wrote ${DOC_PATH}`);
}
