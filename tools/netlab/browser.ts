/**
 * Chromium inside a lab namespace: playwright-core launches a generated wrapper script that runs
 * `ip netns exec <ns> /usr/bin/chromium "$@"`, so the browser's sockets (WebRTC included) live in that home.
 */
import { chmodSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { CHROMIUM_BASE_FLAGS, CHROMIUM_PATH, FAKE_MEDIA_UI_FLAG } from '../dev/chromium.js';

/**
 * Launches Chromium in `ns` with the project's flags, fake devices, and `origins` treated as secure (the lab
 * serves plain HTTP from a 203.0.113.x address, where camera access otherwise needs HTTPS). playwright-core
 * gives every launch a fresh temporary `--user-data-dir`, which that flag needs.
 */
export function launchInNs(ns: string, origins: string | readonly string[], scratchDir: string): Promise<Browser> {
  const wrapper = join(scratchDir, `chromium-${ns}.sh`);
  writeFileSync(wrapper, `#!/bin/sh\nexec ip netns exec ${ns} ${CHROMIUM_PATH} "$@"\n`);
  chmodSync(wrapper, 0o755);
  return chromium.launch({
    executablePath: wrapper,
    args: [
      ...CHROMIUM_BASE_FLAGS,
      FAKE_MEDIA_UI_FLAG,
      '--autoplay-policy=no-user-gesture-required',
      `--unsafely-treat-insecure-origin-as-secure=${[origins].flat().join(',')}`,
    ],
  });
}

/** The candidate pair ICE selected on one RTCPeerConnection, from getStats(). */
export interface SelectedPath {
  pc: number;
  connectionState: string;
  iceConnectionState: string;
  signalingState: string;
  local: { type: string; protocol: string; relayProtocol: string | null; address: string | null };
  remote: { type: string; protocol: string; address: string | null };
  /** Remote video frames decoded on this connection so far. */
  framesDecoded: number;
}

/** The selected path of each open RTCPeerConnection of the page (none before ICE selected one). */
export function selectedPaths(page: Page): Promise<SelectedPath[]> {
  return page.evaluate(async () => {
    const pcs = (window as unknown as { __e2ePeerConnections: RTCPeerConnection[] }).__e2ePeerConnections;
    const paths: SelectedPath[] = [];
    for (const [index, pc] of pcs.entries()) {
      if (pc.connectionState === 'closed') continue;
      const stats = new Map<string, Record<string, unknown>>();
      (await pc.getStats()).forEach((s: Record<string, unknown>) => stats.set(s.id as string, s));
      const all = [...stats.values()];
      const transport = all.find((s) => s.type === 'transport');
      const pair = stats.get(transport?.selectedCandidatePairId as string);
      const frames = all.filter((s) => s.type === 'inbound-rtp' && s.kind === 'video').reduce((n, s) => n + ((s.framesDecoded as number) ?? 0), 0);
      if (!pair) continue;
      const local = stats.get(pair.localCandidateId as string) ?? {};
      const remote = stats.get(pair.remoteCandidateId as string) ?? {};
      paths.push({
        pc: index,
        connectionState: pc.connectionState,
        iceConnectionState: pc.iceConnectionState,
        signalingState: pc.signalingState,
        local: {
          type: local.candidateType as string,
          protocol: local.protocol as string,
          relayProtocol: (local.relayProtocol as string | undefined) ?? null,
          address: (local.address as string | undefined) ?? null,
        },
        remote: { type: remote.candidateType as string, protocol: remote.protocol as string, address: (remote.address as string | undefined) ?? null },
        framesDecoded: frames,
      });
    }
    return paths;
  });
}

/** States of every RTCPeerConnection the page made, in creation order (closed ones included). */
export function connectionStates(page: Page): Promise<{ connectionState: string; iceConnectionState: string; signalingState: string }[]> {
  return page.evaluate(() =>
    (window as unknown as { __e2ePeerConnections: RTCPeerConnection[] }).__e2ePeerConnections.map((pc) => ({
      connectionState: pc.connectionState,
      iceConnectionState: pc.iceConnectionState,
      signalingState: pc.signalingState,
    })),
  );
}

/** How many RTCPeerConnections the page has created so far. */
export function peerConnectionCount(page: Page): Promise<number> {
  return page.evaluate(() => (window as unknown as { __e2ePeerConnections: RTCPeerConnection[] }).__e2ePeerConnections.length);
}

/** Every candidate pair ICE formed on the page's open connections, with its check state (e.g. to show hole punching failing). */
export function candidatePairs(page: Page): Promise<{ pc: number; local: string; remote: string; state: string; nominated: boolean }[]> {
  return page.evaluate(async () => {
    const pcs = (window as unknown as { __e2ePeerConnections: RTCPeerConnection[] }).__e2ePeerConnections;
    const pairs: { pc: number; local: string; remote: string; state: string; nominated: boolean }[] = [];
    for (const [index, pc] of pcs.entries()) {
      if (pc.connectionState === 'closed') continue;
      const stats = new Map<string, Record<string, unknown>>();
      (await pc.getStats()).forEach((s: Record<string, unknown>) => stats.set(s.id as string, s));
      const describe = (id: unknown) => {
        const c = stats.get(id as string) ?? {};
        return `${c.candidateType as string} ${(c.address as string) || '(hidden)'}:${c.port as number}/${c.protocol as string}`;
      };
      for (const s of stats.values()) {
        if (s.type !== 'candidate-pair') continue;
        pairs.push({ pc: index, local: describe(s.localCandidateId), remote: describe(s.remoteCandidateId), state: s.state as string, nominated: s.nominated === true });
      }
    }
    return pairs;
  });
}
