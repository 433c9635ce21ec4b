import base from '../../eslint.config.mjs';

export default [
  ...base,
  {
    // Dependencies point inward: core knows nothing of the server, the shells or the tools.
    files: ['src/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        { patterns: ['@peerchart/signaling-server*', '@peerchart/web-*', '@peerchart/tools*', 'vue', 'react', 'fastify'] },
      ],
    },
  },
];
