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
  // docs/architecture.md, "Layering": store/ is the only place with SQL. Services get repositories.
  // docs/architecture.md, "Entry points": outside src/<F>/, src/<F>/ is imported through its index.ts only.
  ...sourceImportRules(),
);

/**
 * The `no-restricted-imports` settings of src/: one block per entry folder (a folder imports its own
 * files freely and the other folders through their index.ts) and one for the rest of src/. Flat
 * config replaces a rule's options rather than merging them, hence one computed block per folder.
 * test/, web/ and sdk/ are not restricted (tests read internals; the browser bundles import a few
 * import-free files of src/ directly).
 */
function sourceImportRules() {
  const ENTRY_FOLDERS = ['index', 'signals', 'exchange', 'actions', 'store'];
  // index/ reads these pure helpers of signals/ directly: through signals/index.ts it would load the
  // registry, and loading a type's file first (signal → index/ → signals/index.ts → registry → that
  // type) would fail before the type is defined.
  const KEEP_DEEP = { index: { signals: ['pdq/hash256', 'vpdq/compare', 'vpdq/format', 'keyword/skeleton'] } };
  const kysely = { name: 'kysely', message: 'SQL lives in src/store/: add or use a repository there.' };
  const escape = (s) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const deep = (own, folder) => ({
    regex: `^(\\.\\./)+${folder}/(?!(${['index', ...(KEEP_DEEP[own]?.[folder] ?? [])].map(escape).join('|')})\\.js$)`,
    message: `Outside src/${folder}/, import it through its entry point '…/${folder}/index.js' (add the name there if it is missing): docs/architecture.md, "Entry points".`,
  });
  const rule = (own) => ['error', { paths: own === 'store' ? [] : [kysely], patterns: ENTRY_FOLDERS.filter((f) => f !== own).map((f) => deep(own, f)) }];
  return [
    { files: ['src/**/*.ts'], ignores: ENTRY_FOLDERS.map((f) => `src/${f}/**`), rules: { 'no-restricted-imports': rule(undefined) } },
    ...ENTRY_FOLDERS.map((f) => ({ files: [`src/${f}/**/*.ts`], rules: { 'no-restricted-imports': rule(f) } })),
  ];
}
