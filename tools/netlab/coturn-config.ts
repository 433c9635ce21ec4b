/**
 * coturn's configuration as docs/networking.md documents it: the lab runs exactly the block the doc shows
 * (between `<!-- turnserver.conf -->` and the end of its code fence), so the doc cannot drift from what was tested.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { WORKSPACE_ROOT } from './paths.js';

export const NETWORKING_DOC = join(WORKSPACE_ROOT, 'docs/networking.md');

export function turnserverConf(doc = readFileSync(NETWORKING_DOC, 'utf8')): string {
  const match = /<!-- turnserver\.conf -->\s*```[a-z]*\n([\s\S]*?)```/.exec(doc);
  if (!match?.[1]) throw new Error(`netlab: no \`<!-- turnserver.conf -->\` code block in ${NETWORKING_DOC}`);
  return match[1];
}
