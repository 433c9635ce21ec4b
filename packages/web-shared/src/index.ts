/** What both demo shells share besides core: URL options, call controls, device pickers, recovery buttons, quality figures, speaker attributes, room start-up, the pre-join screen, chat, file sharing. */
export * from './call-options.js';
export * from './chat.js';
export * from './controls.js';
export * from './devices.js';
export * from './file-share.js';
export * from './join-room.js';
export * from './prejoin.js';
export * from './quality.js';
export * from './recovery.js';
export * from './speaker.js';
