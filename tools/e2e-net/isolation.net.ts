/**
 * The lab itself: a home reaches the lab's servers through its NAT and nothing else, and the lab leaves no
 * namespace behind. No browser here: plain TCP connects from inside the home.
 */
import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { createLab, SERVER_IP, SERVER_PORT } from '../netlab/lab.js';
import { inNs } from '../netlab/run.js';
import { useLab } from './lab-fixture.js';

const fixture = useLab({ homes: { home: 'cone' } });

/** A TCP connect from inside `ns` (bash's /dev/tcp), bounded to 3 s. */
const connects = (ns: string, ip: string, port: number) =>
  inNs(ns, 'timeout', ['3', 'bash', '-c', `exec 3<>/dev/tcp/${ip}/${port}`]).then(
    () => true,
    () => false,
  );

describe('the lab', () => {
  it('a home reaches the lab servers through its NAT, and nothing outside the lab', async () => {
    const { ns, natNs } = fixture.lab.homes.home!;
    expect(await connects(ns, SERVER_IP, SERVER_PORT), 'the signaling server, through the NAT').toBe(true);
    // 198.51.100.0/24 is the other documentation range; 192.0.2.1 and 1.1.1.1 stand for "anything else".
    for (const ip of ['198.51.100.1', '192.0.2.1', '1.1.1.1']) expect(await connects(ns, ip, 80), `${ip} is unreachable`).toBe(false);
    // The NAT has no route beyond the lab's /24: nothing can leave, whatever the home sends.
    await expect(inNs(natNs, 'ip', ['route', 'get', '1.1.1.1'])).rejects.toThrow(/unreachable/i);
  });

  it('destroy() deletes every namespace of the lab', async () => {
    const lab = await createLab({ homes: { spare: 'symmetric' } });
    const ours = () => execFileSync('ip', ['netns', 'list'], { encoding: 'utf8' }).split('\n').filter((line) => line.startsWith(`pc${lab.id}`));
    expect(ours().length).toBe(3);
    await lab.destroy();
    expect(ours()).toEqual([]);
  });
});
