import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['.stryker-tmp/**', 'dist/', 'out/', 'node_modules/', '.vscode-test/', 'bench/results/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { console: 'readonly', process: 'readonly', Buffer: 'readonly', setTimeout: 'readonly', clearTimeout: 'readonly' } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/no-non-null-assertion': 'off',
      'no-control-regex': 'off',
    },
  },
  {
    // The core must run under plain Node: it may never import vscode (ARCHITECTURE.md).
    files: ['src/**/*.ts'],
    ignores: ['src/ui/**', 'src/extension.ts'],
    rules: { 'no-restricted-imports': ['error', { paths: [{ name: 'vscode', message: 'The core never imports vscode; put VS Code code in src/ui/.' }] }] },
  },
  {
    // The disk knows no wire: the store never imports the POP3 client (ARCHITECTURE.md).
    files: ['src/store/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', { paths: [{ name: 'vscode', message: 'The core never imports vscode.' }], patterns: [{ group: ['**/pop3', '**/pop3/**'], message: 'The store knows no wire protocol.' }] }],
    },
  },
);
