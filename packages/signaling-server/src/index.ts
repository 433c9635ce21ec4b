export { buildApp, originAllowed, REDACTED_PATHS, SHUTDOWN_TIMEOUT_MS, type BuildOptions, type PeerchartHandle } from './app.js';
export {
  ConfigError,
  defaultConfig,
  defaultLimits,
  helpText,
  loadConfig,
  OPTIONS,
  validateConfig,
  type Limits,
  type LoadedConfig,
  type ServerConfig,
  type StaticMount,
} from './config.js';
export { mintJoinTicket, TicketVerifier, type MintJoinTicketOptions, type TicketCheck } from './tickets.js';
export { iceServersFor, turnCredentials, type TurnCredentials } from './turn.js';
export type { JoinOutcome, RoomMember, RoomRegistry } from './registry/types.js';
export { MemoryRoomRegistry } from './registry/memory.js';
