// Writes protocol.schema.json (the wire protocol as JSON Schema) from the valibot schemas in src/protocol.
// Run: npm run docs:schema -w packages/core (src/protocol/protocol.schema.test.ts fails while it is stale).
import { writeFileSync } from 'node:fs';
import { protocolJsonSchemaText } from '../src/test-support/protocol-json-schema.js';

writeFileSync(new URL('../protocol.schema.json', import.meta.url), protocolJsonSchemaText());
