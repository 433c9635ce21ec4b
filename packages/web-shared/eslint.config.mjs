import base from '../../eslint.config.mjs';

export default [
  ...base,
  {
    // Shared by both shells: framework-free, and only ever depends on core.
    files: ['src/**/*.ts'],
    ignores: ['src/**/*.test.ts'],
    rules: {
      'no-restricted-imports': ['error', { patterns: ['@peerchart/signaling-server*', '@peerchart/tools*', 'vue', 'react'] }],
    },
  },
];
