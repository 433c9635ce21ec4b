import base from '../../eslint.config.mjs';

export default [
  ...base,
  {
    // A binding: React on top of core's public API; nothing of the server, the shells, the tools or Vue.
    files: ['src/**/*.{ts,tsx}'],
    ignores: ['src/**/*.test.{ts,tsx}', 'src/test-support/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        { patterns: ['@peerchart/signaling-server*', '@peerchart/web-*', '@peerchart/tools*', '@peerchart/core/src/*', 'vue', '@xstate/vue'] },
      ],
    },
  },
];
