/**
 * "Send file" between the shells (docs/dom-contract.md, the chat's files): a multi-MiB random file from a Vue page to
 * a React page arrives byte-exact (the React page hashes its download link's blob, the test the file it sent), with
 * progress on both sides; and a transfer cancelled by the receiving page ends on both.
 */
import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, expect, it } from 'vitest';
import { joined, openCall, uniqueRoom, until, useServerAndBrowser, type CallPage } from './harness.js';

const shared = useServerAndBrowser();
// Two calls to set up and megabytes through the data channel: more than the suite's default 90 s on a loaded 2-core machine.
const timeout = 180_000;
const MiB = 1_048_576;
const folder = mkdtempSync(join(tmpdir(), 'peerchart-files-'));
afterAll(() => rmSync(folder, { recursive: true, force: true }));

async function vueAndReact(label: string): Promise<[CallPage, CallPage]> {
  const room = uniqueRoom(label);
  const vue = await openCall(shared.browser, shared.server, { shell: 'vue', room, name: 'Vue' });
  const react = await openCall(shared.browser, shared.server, { shell: 'react', room, name: 'React' });
  await joined(vue);
  await joined(react);
  await until('Send file enabled on the Vue page', () => vue.page.getByLabel('Send file', { exact: true }).isEnabled());
  return [vue, react];
}

/** A random file on disk (Playwright hands a path to the file input as it is). */
function randomFile(name: string, size: number): { path: string; bytes: Buffer } {
  const bytes = randomBytes(size);
  const path = join(folder, name);
  writeFileSync(path, bytes);
  return { path, bytes };
}

const row = (page: Page, direction: 'send' | 'receive') => page.locator(`[data-testid="file-transfer"][data-direction="${direction}"]`);
const progressOf = async (page: Page, direction: 'send' | 'receive') => {
  const progress = row(page, direction).getByTestId('file-progress');
  return { value: Number(await progress.getAttribute('value')), max: Number(await progress.getAttribute('max')) };
};

it('a Vue page sends a 6 MiB file to a React page: progress on both, a download link with the same bytes, nothing of it in the chat', async () => {
  const [vue, react] = await vueAndReact('files');
  try {
    const { path, bytes } = randomFile('random.bin', 6 * MiB + 777);
    await vue.page.getByLabel('Send file', { exact: true }).setInputFiles(path);

    await until('the React page to verify the file', async () => (await row(react.page, 'receive').getAttribute('data-status')) === 'done', {
      timeoutMs: 120_000,
    });
    await until('the Vue page to hear it was verified', async () => (await row(vue.page, 'send').getAttribute('data-status')) === 'done');
    const link = row(react.page, 'receive').getByTestId('file-download');
    expect(await link.getAttribute('download')).toBe('random.bin');
    expect(await link.textContent()).toBe('Download random.bin');
    expect(await link.getAttribute('href')).toMatch(/^blob:/);
    // The bytes behind the link, hashed in the React page, against the file the test gave the Vue page.
    const received = await link.evaluate(async (a: HTMLAnchorElement) => {
      const data = await (await fetch(a.href)).arrayBuffer();
      const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', data));
      return { size: data.byteLength, sha256: Array.from(digest, (b) => b.toString(16).padStart(2, '0')).join('') };
    });
    expect(received).toEqual({ size: bytes.length, sha256: createHash('sha256').update(bytes).digest('hex') });

    for (const [page, direction] of [[vue.page, 'send'], [react.page, 'receive']] as const) {
      expect(await progressOf(page, direction)).toEqual({ value: bytes.length, max: bytes.length });
      expect(await row(page, direction).getByRole('button', { name: 'Cancel', exact: true }).count()).toBe(0);
    }
    expect(await row(vue.page, 'send').textContent()).toContain('Sending random.bin to React: done');
    expect(await row(react.page, 'receive').textContent()).toContain('Receiving random.bin from Vue: done');
    expect(await row(vue.page, 'send').getByTestId('file-download').count()).toBe(0);

    // The chat shares the data channel with the file's messages, and took none of them for chat: after the
    // transfer (messages arrive in order), a chat line from the React page is the only line on both pages.
    await react.page.getByTestId('chat-input').fill('got it');
    await react.page.getByRole('button', { name: 'Send', exact: true }).click();
    await until('the Vue page to show the chat line', async () => (await vue.page.getByTestId('chat-message').count()) > 0);
    expect(await vue.page.getByTestId('chat-message').allTextContents()).toEqual(['React: got it']);
    expect(await react.page.getByTestId('chat-message').allTextContents()).toEqual(['You: got it']);
  } finally {
    await vue.close();
    await react.close();
  }
}, timeout);

it('the receiving page cancels mid-transfer: both pages say cancelled, and no download link appears', async () => {
  const [vue, react] = await vueAndReact('files-cancel');
  try {
    const { path, bytes } = randomFile('big.bin', 96 * MiB);
    await vue.page.getByLabel('Send file', { exact: true }).setInputFiles(path);
    // As soon as the first bytes are in (checked on every frame, not on a timer).
    await react.page.waitForFunction(() => {
      const progress = document.querySelector<HTMLProgressElement>('[data-testid="file-transfer"][data-direction="receive"] progress');
      return progress !== null && progress.value > 0;
    }, undefined, { timeout: 60_000 });
    await row(react.page, 'receive').getByRole('button', { name: 'Cancel', exact: true }).click();

    for (const [page, direction] of [[react.page, 'receive'], [vue.page, 'send']] as const) {
      await until(`${direction} row cancelled`, async () => (await row(page, direction).getAttribute('data-status')) === 'cancelled');
      expect((await progressOf(page, direction)).value).toBeLessThan(bytes.length);
    }
    expect(await row(react.page, 'receive').textContent()).toContain('cancelled by you');
    expect(await row(vue.page, 'send').textContent()).toContain('cancelled by the other side');
    expect(await row(react.page, 'receive').getByTestId('file-download').count()).toBe(0);
  } finally {
    await vue.close();
    await react.close();
  }
}, timeout);
