import neostandard, { resolveIgnoresFromGitignore } from 'neostandard'
import boundaries from './scripts/eslint-boundaries.js'

// What counts as a test: the boundaries below are for the code that ships; tests may reach test/support.
const TESTS = ['**/*.test.ts', '**/*.test-kit.ts', 'test/**']

const PARTS = ['protocol', 'contract', 'platform', 'firmware-sim', 'gateway', 'dashboards', 'test']
const except = (...allowed) => PARTS.filter((p) => !allowed.includes(p))

const ZONES = [
  { target: 'protocol', deny: except('protocol'), message: 'protocol/ stands alone: it imports no other part' },
  { target: 'contract', deny: except('contract', 'protocol'), message: 'contract/ is for browsers too: no other part but protocol/' },
  { target: 'contract', nodeBuiltins: true, message: 'contract/ is for browsers too: no Node built-ins' },
  { target: 'platform', deny: except('platform', 'protocol', 'contract'), message: 'platform/ imports only protocol/ and contract/ from other parts' },
  {
    target: 'firmware-sim',
    deny: except('firmware-sim', 'protocol', 'contract'),
    allow: ['platform/starter.ts'],
    message: 'firmware-sim/ reaches the platform only through platform/starter.ts (and protocol/, contract/)',
  },
  { target: 'gateway', deny: except('gateway', 'protocol', 'contract'), message: 'gateway/ imports only protocol/ and contract/' },
  { target: 'dashboards', deny: except('dashboards', 'protocol', 'contract'), message: 'dashboards/ imports only protocol/ and contract/' },
  { target: '', deny: ['*.test-kit.ts'], message: 'only tests import a *.test-kit.ts' },
]

export default [
  ...neostandard({
    ts: true,
    noJsx: false,
    ignores: [...resolveIgnoresFromGitignore(), 'docs/openapi.json'],
  }),
  {
    rules: {
      // The house style, consistent across the tree: several short properties on one line of a multi-line
      // literal, table rows as `{ a, b,\n c }`, trailing commas in multi-line lists, SQL in backticks
      // (single quotes inside), a compact ternary with one multi-line branch.
      '@stylistic/object-property-newline': 'off',
      '@stylistic/object-curly-newline': ['error', { consistent: true }],
      '@stylistic/comma-dangle': ['error', 'always-multiline'],
      '@stylistic/quotes': ['error', 'single', { avoidEscape: true, allowTemplateLiterals: true }],
      '@stylistic/multiline-ternary': 'off',
      // Resolvers are named for what they mean (`r`, `started`, `end`).
      'promise/param-names': 'off',
      // `void promise` marks a deliberate fire-and-forget.
      'no-void': ['error', { allowAsStatement: true }],
      // Console components name their callbacks for what happened (onChanged, onDone), not handleX.
      'react/jsx-handler-names': 'off',
    },
  },
  {
    files: ['**/*.ts'],
    rules: {
      // `_`-prefixed names are compile-time checks or deliberately unused.
      '@typescript-eslint/no-unused-vars': ['error', {
        args: 'none', caughtErrors: 'none', ignoreRestSiblings: true, vars: 'all', varsIgnorePattern: '^_',
      }],
    },
  },
  {
    files: ['**/*.ts', '**/*.js', '**/*.mjs'],
    ignores: TESTS,
    plugins: { boundaries },
    rules: { 'boundaries/imports': ['error', { zones: ZONES }] },
  },
]
