/**
 * The parser's fast path for the messages a call sends most: `offer`, `answer` and `candidate`.
 * Plain checks instead of a valibot run, for the frames that pass them. The valibot schemas stay the
 * single source of truth: this path may only *accept* a frame the schema accepts, with the very same
 * output (same keys, in the same order, same values); anything else it leaves to the schema, which
 * accepts it or produces the typed error. fast-path.test.ts proves both properties with fast-check.
 */
import type { AnswerMessage, CandidateMessage, OfferMessage } from './client-messages.js';
import { isRef, LIMITS, type IceCandidate } from './primitives.js';
import { ID_PATTERN, SDP_MID_MAX_LENGTH, SDP_MLINE_INDEX_MAX, USERNAME_FRAGMENT_MAX_LENGTH } from './rules.js';

export type FastPathMessage = OfferMessage | AnswerMessage | CandidateMessage;

const isId = (value: unknown, max: number): value is string =>
  typeof value === 'string' && value.length > 0 && value.length <= max && ID_PATTERN.test(value);


/** The strict schemas' key check: every key is one of the message's own (so no forged `from`). */
function hasOnlyKeys(record: object, payloadKey: 'sdp' | 'candidate'): boolean {
  for (const key in record) {
    if (key !== 'type' && key !== 'room' && key !== 'to' && key !== payloadKey && key !== 'ref') return false;
  }
  return true;
}

const isOptionalString = (value: unknown, max: number): boolean =>
  value === undefined || value === null || (typeof value === 'string' && value.length <= max);

/** `IceCandidateSchema`'s output for `value`, or undefined when the schema has to look at it. */
function candidateOf(value: unknown): IceCandidate | undefined {
  if (value === null) return null;
  if (typeof value !== 'object' || Array.isArray(value)) return undefined;
  const init = value as Record<string, unknown>;
  for (const key in init) {
    if (key !== 'candidate' && key !== 'sdpMid' && key !== 'sdpMLineIndex' && key !== 'usernameFragment') return undefined;
  }
  const { candidate, sdpMid, sdpMLineIndex, usernameFragment } = init;
  if (typeof candidate !== 'string' || candidate.length > LIMITS.candidate) return undefined;
  if (!isOptionalString(sdpMid, SDP_MID_MAX_LENGTH)) return undefined;
  if (!isOptionalString(usernameFragment, USERNAME_FRAGMENT_MAX_LENGTH)) return undefined;
  if (
    sdpMLineIndex !== undefined &&
    sdpMLineIndex !== null &&
    !(
      typeof sdpMLineIndex === 'number' &&
      Number.isInteger(sdpMLineIndex) &&
      sdpMLineIndex >= 0 &&
      sdpMLineIndex <= SDP_MLINE_INDEX_MAX
    )
  ) {
    return undefined;
  }
  // A fresh object with the schema's keys in the schema's order, like valibot's output.
  const output: NonNullable<IceCandidate> = { candidate };
  if ('sdpMid' in init) output.sdpMid = sdpMid as string | null | undefined;
  if ('sdpMLineIndex' in init) output.sdpMLineIndex = sdpMLineIndex as number | null | undefined;
  if ('usernameFragment' in init) output.usernameFragment = usernameFragment as string | null | undefined;
  return output;
}

/**
 * The message `record` holds if it is an `offer`, `answer` or `candidate` these checks can vouch
 * for; undefined otherwise (including for every invalid frame). `record` must be a plain object
 * fresh from `JSON.parse` (own data properties only), which is what the parser hands in.
 */
export function fastPathMessage(record: Record<string, unknown>): FastPathMessage | undefined {
  const { type, room, to, ref } = record;
  if (!isId(room, LIMITS.roomName) || !isId(to, LIMITS.peerId)) return undefined;
  const hasRef = 'ref' in record;
  if (hasRef && !isRef(ref)) return undefined;
  if (type === 'offer' || type === 'answer') {
    const { sdp } = record;
    if (typeof sdp !== 'string' || sdp.length === 0 || sdp.length > LIMITS.sdp || !hasOnlyKeys(record, 'sdp')) return undefined;
    // The schema's key order: type, room, to, ref, sdp.
    return hasRef ? { type, room, to, ref: ref as OfferMessage['ref'], sdp } : { type, room, to, sdp };
  }
  if (type === 'candidate') {
    if (!('candidate' in record) || !hasOnlyKeys(record, 'candidate')) return undefined;
    const candidate = candidateOf(record.candidate);
    if (candidate === undefined) return undefined;
    return hasRef ? { type, room, to, ref: ref as CandidateMessage['ref'], candidate } : { type, room, to, candidate };
  }
  return undefined;
}
