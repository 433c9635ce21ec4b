export { PROTOCOL_VERSION } from './version.js';
export { ERROR_CODES, CLOSE_CODES, type ErrorCode, type CloseCodeName } from './codes.js';
export * from './primitives.js';
export * from './client-messages.js';
export * from './server-messages.js';
export { parseClientMessage, parseServerMessage, type ParseResult, type ProtocolError } from './parse.js';
export * from './peer-messages.js';
export * from './peer-data.js';
