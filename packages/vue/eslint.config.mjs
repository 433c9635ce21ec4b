import base from '../../eslint.config.mjs';

export default [
  ...base,
  {
    // A binding: Vue on top of core's public API; nothing of the server, the shells, the tools or React.
    files: ['src/**/*.ts'],
    ignores: ['src/**/*.test.ts', 'src/test-support/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        { patterns: ['@peerchart/signaling-server*', '@peerchart/web-*', '@peerchart/tools*', '@peerchart/core/src/*', 'react', '@xstate/react'] },
      ],
    },
  },
];
