import type { RoomView } from '@peerchart/core';

/** A tile's `data-audio-level`: the level (0..1) with two decimals, as docs/dom-contract.md says. */
export const audioLevelAttribute = (level: number): string => level.toFixed(2);

/**
 * A tile's `data-active-speaker`: `true` on the active speaker's tile, absent elsewhere (`undefined`
 * renders no attribute in React and Vue). `id` is a peer id, or `view.selfId` for the local tile.
 */
export const activeSpeakerAttribute = (view: RoomView, id: string | null): true | undefined =>
  id !== null && view.activeSpeakerId === id ? true : undefined;
