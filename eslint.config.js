// ESLint (typescript-eslint, without type information: fast enough to run before every test run).
// Formatting is Prettier's (.prettierrc.json); eslint-config-prettier turns off the rules it owns.
import js from '@eslint/js';
import globals from 'globals';
import prettier from 'eslint-config-prettier';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['**/node_modules/**', '**/dist/**', 'sdk/dist/**', 'bench/out/**', 'data/**', 'coverage/**', 'scratch/**', 'test-results/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  prettier,
  {
    languageOptions: { ecmaVersion: 2023, sourceType: 'module', globals: { ...globals.node } },
    rules: {
      // Variables given their start value before a loop that always assigns them (ports of reference code) read better so.
      'no-useless-assignment': 'off',
      // A leading underscore says "unused on purpose"; `...rest` is how a field is dropped from an object.
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none', ignoreRestSiblings: true }],
    },
  },
  {
    // Tests read the JSON answers of a real server, whose shapes the assertions themselves check.
    files: ['test/**'],
    rules: { '@typescript-eslint/no-explicit-any': 'off' },
  },
  {
    files: ['web/src/**', 'sdk/src/**', 'sdk/demo/**'],
    languageOptions: { globals: { ...globals.browser, ...globals.worker } },
  },
  {
    // docs/architecture.md, "Layering": store/ is the only place with SQL. Services get repositories.
    files: ['src/**/*.ts'],
    ignores: ['src/store/**'],
    rules: {
      'no-restricted-imports': ['error', { paths: [{ name: 'kysely', message: 'SQL lives in src/store/: add or use a repository there.' }] }],
    },
  },
);
