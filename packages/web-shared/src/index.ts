/** What both demo shells share besides core: URL options, recovery buttons, quality figures, room start-up. */
export * from './call-options.js';
export * from './join-room.js';
export * from './quality.js';
export * from './recovery.js';
