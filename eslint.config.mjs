// The lint step (`npm run lint`, part of `npm test`): a few rules that catch real mistakes the type
// check lets through, not a style guide. Each rule below says what it catches.
import js from '@eslint/js';
import globals from 'globals';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  {
    ignores: ['dist/**', 'node_modules/**', 'data/**', 'test-results/**', 'coverage/**'],
  },
  {
    files: ['**/*.ts', '**/*.mts'],
    languageOptions: {
      parser: tseslint.parser,
      // Type information from the same tsconfig.json the type check uses.
      parserOptions: {
        projectService: { allowDefaultProject: ['vitest.browser.config.mts', 'vitest.reliability.config.mts'] },
        tsconfigRootDir: import.meta.dirname,
      },
    },
    plugins: { '@typescript-eslint': tseslint.plugin },
    linterOptions: { reportUnusedDisableDirectives: 'error' },
    rules: {
      // A promise nobody awaits or catches: its rejection is unhandled and the order is a guess.
      '@typescript-eslint/no-floating-promises': 'error',
      // A promise where a boolean or a void callback is expected (`if (promise)`, an async
      // listener whose rejection nobody sees).
      '@typescript-eslint/no-misused-promises': 'error',
      // `await` on something that is not a promise: usually a forgotten call or a wrong type.
      '@typescript-eslint/await-thenable': 'error',
      // Code nobody uses; `_`-prefixed names are kept on purpose (a parameter a signature needs).
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrorsIgnorePattern: '^_', ignoreRestSiblings: true },
      ],
      // `any` switches the type check off for everything it touches.
      '@typescript-eslint/no-explicit-any': 'error',
      // An `as` the compiler already agrees with hides nothing but makes the next reader wonder.
      '@typescript-eslint/no-unnecessary-type-assertion': 'error',
      // `==` converts types; `== null` (null or undefined) is the one idiom kept.
      eqeqeq: ['error', 'always', { null: 'ignore' }],
    },
  },
  {
    // The service logs through pino (redaction, JSON lines); a console call there bypasses it.
    // The command-line programs print their results, so they are exempt.
    files: ['src/**/*.ts', 'dialogs/**/*.ts'],
    ignores: ['src/diagnosis/cli.ts', 'src/diagnosis/rulesCheck.ts'],
    rules: { 'no-console': 'error' },
  },
  {
    // Node scripts outside the TypeScript project (the build).
    files: ['scripts/**/*.mjs'],
    languageOptions: { globals: globals.node },
    rules: { ...js.configs.recommended.rules, eqeqeq: ['error', 'always', { null: 'ignore' }] },
  },
  {
    // The pages' plain browser scripts (no build step): undefined names, unused code, `==`.
    files: ['src/web/public/**/*.js', 'src/escalation/console/**/*.js'],
    languageOptions: { sourceType: 'script', globals: globals.browser },
    rules: {
      ...js.configs.recommended.rules,
      // The page's scripts name every catch binding (`catch (error)`, the older syntax) on purpose.
      'no-unused-vars': ['error', { caughtErrors: 'none' }],
      eqeqeq: ['error', 'always', { null: 'ignore' }],
    },
  },
);
