import { SignJWT, jwtVerify, errors as joseErrors } from 'jose';

const ALGORITHM = 'HS256';
const encoder = new TextEncoder();

export interface MintJoinTicketOptions {
  /** The same secret the server runs with (`--ticket-secret`). */
  secret: string;
  /** The room this ticket admits to. */
  room: string;
  /** Lifetime; keep it short (seconds to a few minutes): a ticket is only needed for the `join`. */
  ttlSeconds: number;
  /** Optional `sub` claim, e.g. your app's user id (the server does not interpret it). */
  subject?: string;
}

/**
 * Mint a join ticket for an app back end to hand to an authorized user: an HS256 JWT with a
 * `room` claim, `iat` and `exp`. The client puts it in `join.ticket`.
 */
export async function mintJoinTicket(options: MintJoinTicketOptions): Promise<string> {
  const jwt = new SignJWT({ room: options.room })
    .setProtectedHeader({ alg: ALGORITHM, typ: 'JWT' })
    .setIssuedAt()
    .setExpirationTime(Math.floor(Date.now() / 1000) + options.ttlSeconds);
  if (options.subject !== undefined) jwt.setSubject(options.subject);
  return jwt.sign(encoder.encode(options.secret));
}

export type TicketCheck = { ok: true } | { ok: false; reason: 'missing' | 'expired' | 'wrong-room' | 'invalid' };

/** Verifies tickets against one secret. Never throws. */
export class TicketVerifier {
  private readonly key: Uint8Array;

  constructor(secret: string) {
    this.key = encoder.encode(secret);
  }

  async check(ticket: string | undefined, room: string): Promise<TicketCheck> {
    if (ticket === undefined) return { ok: false, reason: 'missing' };
    try {
      const { payload } = await jwtVerify(ticket, this.key, { algorithms: [ALGORITHM], requiredClaims: ['exp', 'room'] });
      return payload.room === room ? { ok: true } : { ok: false, reason: 'wrong-room' };
    } catch (error) {
      return { ok: false, reason: error instanceof joseErrors.JWTExpired ? 'expired' : 'invalid' };
    }
  }
}
