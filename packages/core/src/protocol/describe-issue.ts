import type * as v from 'valibot';

/** A refused value's first issue as `path: message` (the message alone at the top level). */
export function describeIssue(issue: v.BaseIssue<unknown>): string {
  const path = issue.path?.map((item) => String(item.key)).join('.');
  return path ? `${path}: ${issue.message}` : issue.message;
}
