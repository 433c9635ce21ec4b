import pluginVue from 'eslint-plugin-vue';
import tseslint from 'typescript-eslint';
import base from '../../eslint.config.mjs';

export default [
  ...base,
  ...pluginVue.configs['flat/recommended'],
  {
    files: ['**/*.vue'],
    languageOptions: { parserOptions: { parser: tseslint.parser, extraFileExtensions: ['.vue'] } },
    rules: {
      // TypeScript checks names (vue-tsc); the core rule does not know DOM globals in SFCs.
      'no-undef': 'off',
      // Prettier-style formatting is not this config's business.
      'vue/max-attributes-per-line': 'off',
      'vue/singleline-html-element-content-newline': 'off',
      'vue/html-self-closing': 'off',
    },
  },
  {
    // A thin shell: renders core's RoomView and sends RoomCommands through @peerchart/vue (no XState glue of its own);
    // never reaches into the server or tools.
    files: ['src/**/*.{ts,vue}'],
    rules: {
      'no-restricted-imports': ['error', { patterns: ['@peerchart/signaling-server*', '@peerchart/tools*', 'react', '@xstate/*'] }],
    },
  },
];
