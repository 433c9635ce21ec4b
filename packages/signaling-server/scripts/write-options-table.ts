// Rewrites the option table in README.md from the option declarations in src/config.ts.
// Run: npm run docs:options -w @peerchart/signaling-server (config.test.ts fails while the table is stale).
import { readFileSync, writeFileSync } from 'node:fs';
import { optionsTable } from '../src/config.js';
import { replaceOptionsTable } from '../src/test-support/readme.js';

const readme = new URL('../README.md', import.meta.url);
writeFileSync(readme, replaceOptionsTable(readFileSync(readme, 'utf8'), optionsTable()));
