/** Jest runs the TypeScript sources directly; `npm test` type-checks everything first with tsc. */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  transform: { '^.+\\.ts$': 'ts-jest' },
  // many tests spawn python3 to build checkpoints or compile fixed files: 5 s is too tight on a loaded 2-core machine
  testTimeout: 30_000,
};
