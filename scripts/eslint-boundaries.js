// The import boundaries between the parts, as a local ESLint rule: like import-x/no-restricted-paths, it
// resolves each relative import against the importing file, so a rule is about folders, not about how many
// `../` a path happens to have. Covers import, export-from, import() and import types.
import { builtinModules } from 'node:module'
import path from 'node:path'

const BUILTINS = new Set(builtinModules)

/** `*.test-kit.ts` style entries match a file name suffix; other entries are a folder or a file. */
function matches (entry, file) {
  if (entry.startsWith('*')) return file.endsWith(entry.slice(1))
  return file === entry || file.startsWith(entry.endsWith('/') ? entry : entry + '/')
}

const rule = {
  meta: {
    type: 'problem',
    docs: { description: 'Keep the parts apart: which folder may import which' },
    schema: [{
      type: 'object',
      properties: {
        zones: {
          type: 'array',
          items: {
            type: 'object',
            properties: {
              target: { type: 'string' },
              deny: { type: 'array', items: { type: 'string' } },
              allow: { type: 'array', items: { type: 'string' } },
              nodeBuiltins: { type: 'boolean' },
              message: { type: 'string' },
            },
            required: ['target', 'message'],
            additionalProperties: false,
          },
        },
      },
      additionalProperties: false,
    }],
    messages: { crossed: '{{message}} (imports {{what}})' },
  },
  create (context) {
    const { zones = [] } = context.options[0] ?? {}
    const root = context.cwd
    const file = path.relative(root, context.filename).split(path.sep).join('/')
    const mine = zones.filter((z) => z.target === '' || matches(z.target, file))
    if (mine.length === 0) return {}

    function check (node, specifier) {
      if (typeof specifier !== 'string') return
      const relative = specifier.startsWith('.')
      const target = relative
        ? path.relative(root, path.resolve(path.dirname(context.filename), specifier)).split(path.sep).join('/')
        : specifier
      for (const zone of mine) {
        const crossed = relative
          ? (zone.deny ?? []).some((d) => matches(d, target)) && !(zone.allow ?? []).some((a) => matches(a, target))
          : zone.nodeBuiltins === true && (specifier.startsWith('node:') || BUILTINS.has(specifier.split('/')[0]))
        if (crossed) {
          context.report({ node, messageId: 'crossed', data: { message: zone.message, what: target } })
          return
        }
      }
    }
    const fromSource = (node) => { if (node.source) check(node.source, node.source.value) }
    return {
      ImportDeclaration: fromSource,
      ExportNamedDeclaration: fromSource,
      ExportAllDeclaration: fromSource,
      ImportExpression: (node) => { if (node.source.type === 'Literal') check(node.source, node.source.value) },
      TSImportType: (node) => {
        const arg = node.argument?.literal ?? node.argument
        if (arg?.type === 'Literal') check(arg, arg.value)
      },
    }
  },
}

export default { meta: { name: 'boundaries' }, rules: { imports: rule } }
