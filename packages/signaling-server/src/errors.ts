import { CLOSE_CODES, type ErrorCode, type Ref } from '@peerchart/core/protocol';

/** Serialize an `error` frame. Built by hand-picked fields so nothing else from the request leaks out. */
export function errorFrame(code: ErrorCode, message: string, ref?: Ref): string {
  return JSON.stringify(ref === undefined ? { type: 'error', code, message } : { type: 'error', code, message, ref });
}

/** Close codes with the reason text the server sends alongside them. */
export const CLOSE_REASONS = {
  [CLOSE_CODES.goingAway]: 'server shutting down',
  [CLOSE_CODES.internalError]: 'internal error',
  [CLOSE_CODES.rateLimitAbuse]: 'rate limit abuse',
  [CLOSE_CODES.slowConsumer]: 'slow consumer',
  [CLOSE_CODES.protocolAbuse]: 'too many invalid frames',
  [CLOSE_CODES.replaced]: 'replaced by a resumed session',
} as const;
