/**
 * Unit tests of the frontend's pure modules (no JupyterLab imports at run time).
 */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/tests/frontend'],
  testMatch: ['**/*.test.ts'],
  transform: {
    '^.+\\.tsx?$': [
      'ts-jest',
      { tsconfig: '<rootDir>/tests/frontend/tsconfig.json' }
    ]
  }
};
