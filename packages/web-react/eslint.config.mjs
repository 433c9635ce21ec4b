import base from '../../eslint.config.mjs';

export default [
  ...base,
  {
    // A thin shell: renders core's RoomView and sends RoomCommands; never reaches into the server or tools.
    files: ['src/**/*.{ts,tsx}'],
    rules: {
      'no-restricted-imports': ['error', { patterns: ['@peerchart/signaling-server*', '@peerchart/tools*', 'vue'] }],
    },
  },
];
