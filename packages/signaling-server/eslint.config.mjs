import base from '../../eslint.config.mjs';

export default [
  ...base,
  {
    // Dependencies point inward: the server knows core, never the shells or the tools.
    files: ['src/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', { patterns: ['@peerchart/web-*', '@peerchart/tools*', 'vue', 'react'] }],
    },
  },
];
