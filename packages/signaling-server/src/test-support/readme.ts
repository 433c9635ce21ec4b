const START = '<!-- options:start (generated from src/config.ts by `npm run docs:options`) -->';
const END = '<!-- options:end -->';

/** The README with the text between the option-table markers replaced by `table`. */
export function replaceOptionsTable(readme: string, table: string): string {
  const start = readme.indexOf(START);
  const end = readme.indexOf(END);
  if (start < 0 || end < start) throw new Error(`README.md lacks the markers ${START} … ${END}`);
  return `${readme.slice(0, start + START.length)}\n${table}\n${readme.slice(end)}`;
}
