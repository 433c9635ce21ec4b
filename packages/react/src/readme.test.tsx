/**
 * The README's example is `examples/call.tsx`, word for word, and it runs: rendered in happy-dom
 * (served from the real server's origin, as the example expects), with the browser's own WebSocket
 * and no camera (happy-dom has none), it shows the media error with its way out, and leaves.
 */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { flushSync } from 'react-dom';
import { createRoot, type Root } from 'react-dom/client';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { Call } from '../examples/call.js';
import { startRealCall, until, type RealCall } from '@peerchart/test-support/real-call';

let call: RealCall;
let root: Root | null = null;
beforeAll(async () => {
  call = await startRealCall();
});
afterAll(async () => {
  root?.unmount();
  await call?.close();
});

it('the README example is examples/call.tsx', () => {
  const packageDir = join(dirname(fileURLToPath(import.meta.url)), '..');
  const readme = readFileSync(join(packageDir, 'README.md'), 'utf8');
  const example = readFileSync(join(packageDir, 'examples/call.tsx'), 'utf8');
  expect(readme).toContain('```tsx\n' + example + '```');
});

it('the README example runs: it shows what went wrong, and leaves', async () => {
  // happy-dom's page address (its `window.happyDOM` API), so the example's `location` is the server's origin.
  (window as unknown as { happyDOM: { setURL(url: string): void } }).happyDOM.setURL(call.signalingUrl.replace('ws:', 'http:').replace(/\/ws$/, '/'));
  const container = document.createElement('div');
  document.body.append(container);
  root = createRoot(container);
  flushSync(() => root?.render(<Call room="readme-example" name="Ada" />));

  await until('the missing camera to be reported', () => container.querySelector('[role="alert"]') !== null);
  expect(container.querySelector('p')?.textContent).toBe('Camera or microphone unavailable');
  expect(container.querySelector('[role="alert"]')?.textContent).toMatch(/camera|microphone/i);
  expect(container.querySelectorAll('video')).toHaveLength(1); // the local preview, empty

  const leave = [...container.querySelectorAll('button')].find((b) => b.textContent === 'Leave')!;
  flushSync(() => leave.click());
  await until('the view to say left', () => container.querySelector('p')?.textContent === 'You left the call');
});
