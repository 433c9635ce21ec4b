/**
 * Rules shared by the valibot schemas (primitives.ts) and the parser's fast path (fast-path.ts), so
 * both check with the very same values. Internal: not re-exported from the protocol's index.
 */

/** What room names and peer ids may hold. */
export const ID_PATTERN = /^[A-Za-z0-9_-]+$/;

/** Bounds of the optional fields of an ICE candidate (`candidate` itself is `LIMITS.candidate`). */
export const SDP_MID_MAX_LENGTH = 64;
export const SDP_MLINE_INDEX_MAX = 1024;
export const USERNAME_FRAGMENT_MAX_LENGTH = 256;
