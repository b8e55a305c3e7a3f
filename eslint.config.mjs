// ESLint flat config (typescript-eslint): `npm run lint` runs it and Prettier's check over src/, rules/ and test/.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['dist/', 'node_modules/', 'wasm/', 'coverage/', 'test/fixtures/', '**/*.js', '**/*.mjs'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      // the analysis is over loosely typed tree-sitter nodes and JSON: `any` is allowed where a comment says why
      '@typescript-eslint/no-explicit-any': 'warn',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'max-len': ['error', { code: 120, ignoreStrings: true, ignoreTemplateLiterals: true, ignoreRegExpLiterals: true, ignoreUrls: true, ignoreComments: false }],
      // tree-sitter's Node.parent walks down from the root on each call: ancestor walks with it are quadratic
      'no-restricted-syntax': ['error', { selector: "MemberExpression[property.name='parent']", message: 'Use parentOf(node) from src/syntax/parse (constant time); Node.parent costs O(depth) per call.' }],
    },
  },
  {
    files: ['test/**/*.ts'],
    rules: { 'max-len': 'off', '@typescript-eslint/no-require-imports': 'off' },
  },
);
