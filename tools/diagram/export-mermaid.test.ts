import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { signalingMachine } from '@peerchart/core';
import { DOC_PATH, renderMachineDoc, toMermaid } from './export-mermaid.js';

describe('export-mermaid', () => {
  it('renders states, initial states and guarded transitions from the machine definition', () => {
    const diagram = toMermaid(signalingMachine);
    expect(diagram.split('\n')[0]).toBe('stateDiagram-v2');
    expect(diagram).toContain('[*] --> connection');
    expect(diagram).toContain('state connection {');
    expect(diagram).toContain('connection_connecting --> connection_greeting: SOCKET.OPEN');
    expect(diagram).toContain('reconnecting --> connection: SIGNALING.RETRY_NOW');
    expect(diagram).toContain('closed --> [*]');
  });

  it('docs/machine.md is up to date (regenerate with `npm run diagram -w tools`)', () => {
    expect(readFileSync(DOC_PATH, 'utf8')).toBe(renderMachineDoc());
  });
});
