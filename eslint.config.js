// Lint: the TypeScript rules and the layering of docs/ARCHITECTURE.md ("Layers and imports").
import { readdirSync } from 'node:fs';
import tseslint from 'typescript-eslint';

const IO_MODULES = ['node:fs', 'node:fs/promises', 'node:net', 'node:https', 'node:http', 'node:child_process', 'node:os', '@unraid/libvirt', '@kubernetes/client-node', 'ws'];

/**
 * The layers, lowest first, and what each may import of ours. A module's `runtime/` folders hold its
 * IO; everything else in it is pure. Composition roots (below) wire the layers and may import any.
 */
const LAYERS = {
  'crd-gen': [],
  core: ['crd-gen'],
  webhooks: ['core', 'crd-gen'],
  launcher: ['core', 'crd-gen'],
  // The node handler speaks the launcher protocol: launcher/protocol/ and nothing else of launcher/.
  // The VM controller applies instancetypes to the VMIs it creates with the mutating webhook's code.
  reconcilers: ['core', 'crd-gen', 'launcher/protocol', 'webhooks/mutate'],
  store: ['core', 'crd-gen', 'webhooks'],
  synth: ['core', 'crd-gen', 'webhooks'],
  local: ['core', 'crd-gen', 'webhooks', 'launcher', 'reconcilers', 'store'],
};
const MODULES = [...Object.keys(LAYERS), 'cli'];

/** Composition roots: they start processes and wire every layer, so they may import any module's runtime. */
const COMPOSITION_ROOTS = ['cli/**', 'local/runtime/**', '**/main.ts'];
/** Outside production code: tests, fixtures, benchmarks, examples. */
const NOT_PRODUCTION = ['**/*.test.ts', '**/*.testing.ts', 'test/**', 'bench/**', 'examples/**'];

const importOf = (path, message) => ({ group: [`**/${path}`, `**/${path}/**`], message });

/** The sub-folders of module `m` that `published` opens (e.g. `launcher/protocol` opens `protocol`). */
const openedIn = (m, published) => published.filter((p) => p.startsWith(`${m}/`)).map((p) => p.slice(m.length + 1));

/**
 * Import patterns matching module `m` (with `tail`, e.g. `/runtime/`, only those paths) except its
 * published sub-folders: gitignore patterns cannot re-include inside an excluded folder, so the
 * other sub-folders are listed one by one.
 */
function allOf(m, published, tail = '') {
  const opened = openedIn(m, published);
  if (opened.length === 0) return [`**/${m}/**${tail}**`];
  const folders = readdirSync(new URL(`./${m}`, import.meta.url), { withFileTypes: true }).filter((e) => e.isDirectory()).map((e) => e.name);
  const closed = folders.filter((f) => !opened.includes(f)).map((f) => `**/${m}/${f}/**${tail}**`);
  return tail === '' ? [`**/${m}/*.js`, ...closed] : closed;
}

/** Imports of modules above or beside `module`'s layer. */
function forbiddenModules(module) {
  const allowed = LAYERS[module];
  const published = allowed.filter((a) => a.includes('/'));
  return MODULES.filter((m) => m !== module && !allowed.includes(m)).map((m) => ({
    group: allOf(m, published),
    message: `${module}/ may not import ${m}/ (docs/ARCHITECTURE.md, Layers and imports)`,
  }));
}

/** Other modules' runtime/ (IO) folders: only composition roots wire them (a published folder's runtime/ is published too). */
function foreignRuntimes(module) {
  const published = LAYERS[module].filter((a) => a.includes('/'));
  return MODULES.filter((m) => m !== module).map((m) => ({
    group: allOf(m, published, '/runtime/'),
    message: `only composition roots import another module's runtime/ (docs/ARCHITECTURE.md, Layers and imports)`,
  }));
}

const TEST_ONLY = { group: ['**/test/**', '**/*.testing.js'], message: 'production code may not import test code (test/ and *.testing.ts)' };
const PURE_IO = IO_MODULES.map((name) => ({ name, message: 'IO belongs in runtime/ folders or composition roots (docs/ARCHITECTURE.md, Pure core)' }));
const OWN_RUNTIME = { group: ['**/runtime/**', './runtime/*'], message: 'pure code may not import runtime/ (IO) code (docs/ARCHITECTURE.md, Pure core)' };

/** The import rules of one module's files: pure files, and its runtime/ files (IO allowed). */
function layer(module) {
  const patterns = [...forbiddenModules(module), ...foreignRuntimes(module), TEST_ONLY];
  return [
    {
      files: [`${module}/**/*.ts`],
      ignores: [...NOT_PRODUCTION, ...COMPOSITION_ROOTS, `${module}/**/runtime/**`],
      rules: { 'no-restricted-imports': ['error', { paths: PURE_IO, patterns: [...patterns, OWN_RUNTIME] }] },
    },
    {
      files: [`${module}/**/runtime/**/*.ts`],
      ignores: [...NOT_PRODUCTION, ...COMPOSITION_ROOTS],
      rules: { 'no-restricted-imports': ['error', { patterns }] },
    },
  ];
}

export default tseslint.config(
  // examples/cdk8s/dist and manifests are the example app's build and output (its own `npm run synth`).
  { ignores: ['node_modules/**', 'dist/**', 'manifests/**', 'crd-gen/generated/**', 'synth/imports/**', 'eslint.config.js', 'bin/**', 'examples/cdk8s/dist/**', 'examples/cdk8s/manifests/**'] },
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
    files: NOT_PRODUCTION,
    rules: { complexity: 'off', 'max-params': 'off', '@typescript-eslint/explicit-module-boundary-types': 'off', '@typescript-eslint/no-non-null-assertion': 'off' },
  },
  ...Object.keys(LAYERS).flatMap(layer),
  // Composition roots import anything of ours, but never test code.
  { files: COMPOSITION_ROOTS, ignores: NOT_PRODUCTION, rules: { 'no-restricted-imports': ['error', { patterns: [TEST_ONLY] }] } },
  // crd-gen's build-time tools read the schema sources and write the generated files.
  { files: ['crd-gen/sources.ts', 'crd-gen/generate.ts', 'crd-gen/coverage.ts', 'crd-gen/coverage-path.ts'], rules: { 'no-restricted-imports': 'off' } },
);
