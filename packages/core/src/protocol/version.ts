/** The wire protocol's version. A client states it in `hello`; the server refuses any other. */
export const PROTOCOL_VERSION = 1 as const;
