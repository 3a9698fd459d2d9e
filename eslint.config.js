import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import importLayers from './eslint/import-layers.js';

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'outbox/**', 'coverage/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { process: 'readonly', console: 'readonly' } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-console': 'off',
      // Prettier wraps code at 120 columns; it never breaks a string, so only literals may run longer.
      'max-len': [
        'error',
        { code: 120, ignoreStrings: true, ignoreTemplateLiterals: true, ignoreRegExpLiterals: true, ignoreUrls: true },
      ],
    },
  },
  {
    // Imports flow one way (eslint/import-layers.js): a backwards import fails lint.
    files: ['src/**/*.ts', 'jobs/**/*.ts'],
    plugins: { dbkeeper: { rules: { 'import-layers': importLayers } } },
    rules: { 'dbkeeper/import-layers': 'error' },
  },
  {
    // A job reads the evaluation time from ctx.now and measures durations with performance.now(): never the wall clock.
    files: ['jobs/**/*.ts'],
    rules: {
      'no-restricted-properties': [
        'error',
        { object: 'Date', property: 'now', message: 'durations: performance.now(); the evaluation time: ctx.now' },
      ],
      'no-restricted-syntax': [
        'error',
        {
          selector: "NewExpression[callee.name='Date'][arguments.length=0]",
          message: 'the evaluation time comes from ctx.now',
        },
      ],
    },
  },
  {
    files: ['**/*.cjs'],
    languageOptions: {
      sourceType: 'commonjs',
      globals: { module: 'writable', require: 'readonly', __dirname: 'readonly' },
    },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
);
