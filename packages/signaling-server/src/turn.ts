import { createHmac } from 'node:crypto';
import type { IceServer } from '@peerchart/core/protocol';

export interface TurnCredentials {
  username: string;
  credential: string;
  /** Unix seconds after which coturn refuses the credential. */
  expiresAt: number;
}

/**
 * Time-limited TURN credentials in coturn's `use-auth-secret` scheme (TURN REST API):
 * username = `${expiryUnixSeconds}:${peerId}`, credential = base64(HMAC-SHA1(secret, username)).
 */
export function turnCredentials(options: {
  secret: string;
  peerId: string;
  ttlSeconds: number;
  nowMs?: number;
}): TurnCredentials {
  const expiresAt = Math.floor((options.nowMs ?? Date.now()) / 1000) + options.ttlSeconds;
  const username = `${expiresAt}:${options.peerId}`;
  const credential = createHmac('sha1', options.secret).update(username).digest('base64');
  return { username, credential, expiresAt };
}

/**
 * The ICE servers of `joined` and `ice-servers`, with how long their TURN credentials stay valid
 * (absent when nothing in them expires), so clients know when to send `refresh-ice-servers`.
 */
export function iceServersGrant(
  peerId: string,
  config: Parameters<typeof iceServersFor>[1],
): { iceServers: IceServer[]; iceServersTtlMs?: number } {
  const iceServers = iceServersFor(peerId, config);
  const expires = config.turnUrls.length > 0 && config.turnSecret !== undefined;
  return expires ? { iceServers, iceServersTtlMs: config.turnTtlSeconds * 1000 } : { iceServers };
}

/** The `iceServers` a peer gets in `joined`: STUN urls, then TURN (with fresh credentials when a secret is set). */
export function iceServersFor(
  peerId: string,
  config: { stunUrls: string[]; turnUrls: string[]; turnSecret: string | undefined; turnTtlSeconds: number },
): IceServer[] {
  const servers: IceServer[] = [];
  if (config.stunUrls.length > 0) servers.push({ urls: [...config.stunUrls] });
  if (config.turnUrls.length > 0) {
    if (config.turnSecret === undefined) {
      servers.push({ urls: [...config.turnUrls] });
    } else {
      const { username, credential } = turnCredentials({ secret: config.turnSecret, peerId, ttlSeconds: config.turnTtlSeconds });
      servers.push({ urls: [...config.turnUrls], username, credential });
    }
  }
  return servers;
}
