// @ts-check
/**
 * Lint rules for src, test, bench and scripts (`npm run lint`, part of `npm test`).
 * We keep typescript-eslint's recommended set: each rule there catches a
 * real mistake (unused code, `any` leaking, floating promises are left to
 * the type checker). Where we turn something down, the reason is beside it.
 * Boundaries between features are dependency-cruiser's job
 * (.dependency-cruiser.cjs); formatting is prettier's (.prettierrc.json).
 */
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['node_modules/', 'dist/', '.engines/', 'data/', 'public/', 'coverage/', 'tmp/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { ecmaVersion: 2023, sourceType: 'module' },
    rules: {
      // `_name` marks a parameter an interface requires but this function does not use (Express handlers, listeners).
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none', ignoreRestSiblings: true }],
      // A real bug class: `==` between an id string and an ObjectId. `== null` stays allowed for null-or-undefined.
      eqeqeq: ['error', 'always', { null: 'ignore' }],
      'no-console': ['error', { allow: ['error', 'warn'] }],
      'prefer-const': 'error',
    },
  },
  {
    // In src, the type-aware rules that guard async code: a promise nobody awaits is a write that may
    // fail silently or land after the response (money and stock paths), and a promise passed where a
    // plain value is expected is always true. Only these three: the full type-checked set costs minutes.
    files: ['src/**/*.ts'],
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': ['error', { checksVoidReturn: { arguments: false, attributes: false } }],
      '@typescript-eslint/await-thenable': 'error',
    },
  },
  {
    // Tests and tools: console output is their interface, and fixtures cast freely to build odd inputs.
    files: ['test/**', 'bench/**', 'scripts/**'],
    rules: {
      'no-console': 'off',
      '@typescript-eslint/no-explicit-any': 'off',
      '@typescript-eslint/no-non-null-assertion': 'off',
    },
  },
  {
    files: ['**/*.cjs', 'scripts/**/*.mjs', 'bench/**/*.mjs'],
    languageOptions: { sourceType: 'commonjs', globals: { require: 'readonly', module: 'writable', process: 'readonly', console: 'readonly', __dirname: 'readonly', setInterval: 'readonly' } },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
);
