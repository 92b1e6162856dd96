// Lint: TypeScript rules of ARCHITECTURE.md §10 and the import directions of §1 and §4.
import tseslint from 'typescript-eslint';

const IO_MODULES = ['node:fs', 'node:fs/promises', 'node:net', 'node:https', 'node:http', 'node:child_process', 'node:os', '@unraid/libvirt'];

/** Import bans for files of one top-level module: other modules it may not depend on. */
function layer(files, forbiddenModules, extra = []) {
  const patterns = forbiddenModules.map((m) => ({
    group: [`**/${m}/**`, `../${m}/*`, `../../${m}/*`],
    message: `this module may not import ${m}/ (ARCHITECTURE.md §1)`,
  }));
  return {
    files,
    ignores: ['**/runtime/**', '**/main.ts', '**/*.test.ts'],
    rules: {
      'no-restricted-imports': ['error', {
        paths: IO_MODULES.map((name) => ({ name, message: 'IO belongs in runtime/ or main.ts (ARCHITECTURE.md §4)' })),
        patterns: [
          ...patterns,
          // reconcilers/runtime/types.ts is the reconciler contract every controller implements (not IO).
          { group: ['**/runtime/*', '!../runtime/types.js'], message: 'no module imports another module\'s runtime/ (ARCHITECTURE.md §1)' },
          ...extra,
        ],
      }],
    },
  };
}

const ALL = ['core', 'crd-gen', 'webhooks', 'reconcilers', 'launcher', 'store', 'local', 'cli', 'synth'];
const except = (...allowed) => ALL.filter((m) => !allowed.includes(m));

export default tseslint.config(
  { ignores: ['node_modules/**', 'dist/**', 'manifests/**', 'crd-gen/generated/**', 'synth/imports/**', 'eslint.config.js', 'bin/**'] },
  ...tseslint.configs.recommended,
  {
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/explicit-module-boundary-types': 'error',
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-non-null-assertion': 'warn',
      // `_`-prefixed names are deliberately unused (a rest pattern that drops keys, a callback's slot).
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', ignoreRestSiblings: true }],
      complexity: ['error', 10],
      'max-params': ['error', 4],
    },
  },
  {
    files: ['**/*.test.ts', 'test/**', 'bench/**'],
    rules: { complexity: 'off', 'max-params': 'off', '@typescript-eslint/explicit-module-boundary-types': 'off', '@typescript-eslint/no-non-null-assertion': 'off' },
  },
  layer(['core/**'], except('core', 'crd-gen')),
  layer(['crd-gen/**'], except('crd-gen')),
  layer(['webhooks/**'], except('core', 'crd-gen', 'webhooks')),
  layer(['launcher/**'], except('core', 'crd-gen', 'launcher')),
  layer(['reconcilers/**'], except('core', 'crd-gen', 'reconcilers', 'launcher')),
  layer(['synth/**'], except('crd-gen', 'synth', 'core', 'webhooks')),
  // crd-gen's build-time edges read the schema sources.
  { files: ['crd-gen/sources.ts', 'crd-gen/generate.ts', 'crd-gen/coverage.ts'], rules: { 'no-restricted-imports': 'off' } },
);
