import base from '../../eslint.config.mjs';

export default [
  ...base,
  {
    // A thin shell: renders core's RoomView and sends RoomCommands through @peerchart/react (no XState glue of its own);
    // never reaches into the server or tools.
    files: ['src/**/*.{ts,tsx}'],
    rules: {
      'no-restricted-imports': ['error', { patterns: ['@peerchart/signaling-server*', '@peerchart/tools*', 'vue', '@xstate/*'] }],
    },
  },
];
