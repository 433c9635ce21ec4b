import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

/** What a resume token names: an identity, the one-time nonce, and the epoch of the state that issued it. */
export interface TokenClaims {
  peerId: string;
  nonce: string;
  /**
   * Which incarnation of the session state issued the token: a process (memory registry) or a
   * Redis data set (redis registry). A token of the current epoch without a session names an
   * identity that ended; one of an earlier epoch names an identity the state forgot (a restart).
   */
  epoch: string;
}

export const randomId = (bytes: number): string => randomBytes(bytes).toString('base64url');

/**
 * Resume tokens verifiable without stored state: `peerId.nonce.epoch.mac`, the mac an HMAC-SHA256
 * (truncated to 128 bits) over the rest under the session secret. A server that lost its sessions
 * (restarted with the same `--session-secret`) can still tell a token it issued from a forgery.
 * Every part is base64url, so `.` separates them unambiguously.
 */
export class ResumeTokens {
  private readonly key: Buffer;

  constructor(secret: string | undefined) {
    // No secret configured: a random one, so tokens die with the process.
    this.key = secret === undefined ? randomBytes(32) : Buffer.from(secret, 'utf8');
  }

  issue(peerId: string, epoch: string): { token: string; nonce: string } {
    const nonce = randomId(12);
    const body = `${peerId}.${nonce}.${epoch}`;
    return { token: `${body}.${this.mac(body)}`, nonce };
  }

  /** The claims of a token this secret signed, or undefined for anything else. */
  verify(token: string): TokenClaims | undefined {
    const parts = token.split('.');
    if (parts.length !== 4) return undefined;
    const [peerId, nonce, epoch, mac] = parts as [string, string, string, string];
    if (!/^[A-Za-z0-9_-]{1,64}$/.test(peerId) || nonce === '' || epoch === '') return undefined;
    const expected = Buffer.from(this.mac(`${peerId}.${nonce}.${epoch}`));
    const given = Buffer.from(mac);
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) return undefined;
    return { peerId, nonce, epoch };
  }

  private mac(body: string): string {
    return createHmac('sha256', this.key).update(body).digest().subarray(0, 16).toString('base64url');
  }
}
