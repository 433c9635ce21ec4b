import base from '../eslint.config.mjs';

export default [
  ...base,
  // The root config ignores the repo's bench/ (committed results); relative to this folder that
  // pattern would also hide tools/bench/ (the benchmark code), so un-ignore it here.
  { ignores: ['!bench/**'] },
];
