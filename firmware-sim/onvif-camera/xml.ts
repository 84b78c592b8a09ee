// A small, strict, namespace-aware XML reader for the SOAP the simulated camera receives. It is safe by
// construction: a document type declaration is refused (so no entity of any kind, internal or external, can
// be declared or expanded), only the five predefined entities and character references are decoded, and the
// input size, the nesting depth and the element count are bounded. Anything else is an XmlError, never a crash.

export interface XmlAttribute { ns: string, local: string, name: string, value: string }
export interface XmlElement {
  ns: string
  local: string
  name: string
  attributes: XmlAttribute[]
  children: XmlElement[]
  text: string
  /** Prefix → namespace URI in scope at this element (for QName values such as discovery Types). */
  scope: ReadonlyMap<string, string>
}

export class XmlError extends Error {}

export interface XmlLimits { maxChars: number, maxDepth: number, maxElements: number }
const DEFAULT_LIMITS: XmlLimits = { maxChars: 256 * 1024, maxDepth: 48, maxElements: 4000 }

const NAME = /^[A-Za-z_][\w.-]*(?::[A-Za-z_][\w.-]*)?$/
const TAG_NAME = /[^\s/>]{1,200}/y
const ATTR = /([^\s=/>]{1,200})\s*=\s*(?:"([^"<]*)"|'([^'<]*)')/y
const XML_NS = 'http://www.w3.org/XML/1998/namespace'
const ENTITIES: Record<string, string> = { lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" }

function decode (raw: string): string {
  if (!raw.includes('&')) return raw
  return raw.replace(/&([^;&\s]{0,12});|&/g, (match, ref: string | undefined) => {
    if (ref === undefined) throw new XmlError('bare & in text')
    if (ref in ENTITIES) return ENTITIES[ref]!
    const code = /^#x[0-9a-fA-F]{1,6}$/.test(ref) ? parseInt(ref.slice(2), 16)
      : /^#[0-9]{1,7}$/.test(ref) ? parseInt(ref.slice(1), 10) : NaN
    if (!Number.isInteger(code) || code === 0 || code > 0x10ffff || (code >= 0xd800 && code <= 0xdfff)) {
      throw new XmlError(`unknown entity &${ref};`)
    }
    return String.fromCodePoint(code)
  })
}

interface Raw { name: string, attrs: Array<[string, string]>, children: Raw[], text: string }

/** Parses one XML document into its root element. Throws XmlError on anything not well-formed or not allowed. */
export function parseXml (input: string, limits: Partial<XmlLimits> = {}): XmlElement {
  const lim = { ...DEFAULT_LIMITS, ...limits }
  if (input.length > lim.maxChars) throw new XmlError(`document longer than ${lim.maxChars} characters`)
  let i = input.charCodeAt(0) === 0xfeff ? 1 : 0
  const stack: Raw[] = []
  let root: Raw | undefined
  let count = 0
  const expect = (s: string, from: number): number => {
    const at = input.indexOf(s, from)
    if (at < 0) throw new XmlError(`unterminated markup: expected ${s}`)
    return at
  }
  while (i < input.length) {
    const lt = input.indexOf('<', i)
    const textEnd = lt < 0 ? input.length : lt
    if (textEnd > i) {
      const text = input.slice(i, textEnd)
      const top = stack[stack.length - 1]
      if (top) top.text += decode(text)
      else if (text.trim() !== '') throw new XmlError('text outside the root element')
    }
    if (lt < 0) break
    if (input.startsWith('<?', lt)) {
      i = expect('?>', lt + 2) + 2
    } else if (input.startsWith('<!--', lt)) {
      i = expect('-->', lt + 4) + 3
    } else if (input.startsWith('<![CDATA[', lt)) {
      const end = expect(']]>', lt + 9)
      const top = stack[stack.length - 1]
      if (!top) throw new XmlError('CDATA outside the root element')
      top.text += input.slice(lt + 9, end)
      i = end + 3
    } else if (input.startsWith('<!', lt)) {
      throw new XmlError('document type declarations are not accepted')
    } else if (input.startsWith('</', lt)) {
      const end = expect('>', lt + 2)
      const name = input.slice(lt + 2, end).trim()
      const top = stack.pop()
      if (!top || top.name !== name) throw new XmlError(`mismatched end tag </${name}>`)
      i = end + 1
    } else {
      const parsed = readStartTag(input, lt)
      if (++count > lim.maxElements) throw new XmlError(`more than ${lim.maxElements} elements`)
      if (stack.length >= lim.maxDepth) throw new XmlError(`nested deeper than ${lim.maxDepth}`)
      const el: Raw = { name: parsed.name, attrs: parsed.attrs, children: [], text: '' }
      const parent = stack[stack.length - 1]
      if (parent) parent.children.push(el)
      else if (root) throw new XmlError('more than one root element')
      else root = el
      if (!parsed.selfClosing) stack.push(el)
      i = parsed.end
    }
  }
  if (!root) throw new XmlError('no root element')
  if (stack.length > 0) throw new XmlError(`unclosed element <${stack[stack.length - 1]!.name}>`)
  return resolve(root, new Map([['xml', XML_NS]]))
}

function readStartTag (input: string, lt: number): { name: string, attrs: Array<[string, string]>, selfClosing: boolean, end: number } {
  const attrs: Array<[string, string]> = []
  TAG_NAME.lastIndex = lt + 1
  const name = TAG_NAME.exec(input)?.[0] ?? ''
  if (!NAME.test(name)) throw new XmlError(`bad element name at ${lt}`)
  let i = lt + 1 + name.length
  for (;;) {
    while (/\s/.test(input[i] ?? '')) i++
    const c = input[i]
    if (c === undefined) throw new XmlError('unterminated start tag')
    if (c === '>') return { name, attrs, selfClosing: false, end: i + 1 }
    if (c === '/' && input[i + 1] === '>') return { name, attrs, selfClosing: true, end: i + 2 }
    ATTR.lastIndex = i
    const m = ATTR.exec(input)
    if (!m || !NAME.test(m[1]!)) throw new XmlError(`bad attribute in <${name}>`)
    if (attrs.length >= 64) throw new XmlError(`more than 64 attributes in <${name}>`)
    if (attrs.some(([n]) => n === m[1])) throw new XmlError(`repeated attribute ${m[1]}`)
    attrs.push([m[1]!, decode(m[2] ?? m[3] ?? '')])
    i += m[0].length
  }
}

function split (qname: string): [string, string] {
  const colon = qname.indexOf(':')
  return colon < 0 ? ['', qname] : [qname.slice(0, colon), qname.slice(colon + 1)]
}

function resolve (raw: Raw, parentScope: ReadonlyMap<string, string>): XmlElement {
  let scope = parentScope
  for (const [name, value] of raw.attrs) {
    if (name === 'xmlns' || name.startsWith('xmlns:')) {
      if (scope === parentScope) scope = new Map(parentScope)
      ;(scope as Map<string, string>).set(name === 'xmlns' ? '' : name.slice(6), value)
    }
  }
  const nsOf = (prefix: string, isAttribute: boolean): string => {
    if (prefix === '' && isAttribute) return ''
    const ns = scope.get(prefix)
    if (ns === undefined && prefix !== '') throw new XmlError(`undeclared namespace prefix ${prefix}`)
    return ns ?? ''
  }
  const [prefix, local] = split(raw.name)
  const attributes: XmlAttribute[] = []
  for (const [name, value] of raw.attrs) {
    if (name === 'xmlns' || name.startsWith('xmlns:')) continue
    const [p, l] = split(name)
    attributes.push({ ns: nsOf(p, true), local: l, name, value })
  }
  return {
    ns: nsOf(prefix, false), local, name: raw.name, attributes, text: raw.text, scope,
    children: raw.children.map((c) => resolve(c, scope)),
  }
}

/** The first child with this local name (and namespace, when given). */
export function child (el: XmlElement | undefined, local: string, ns?: string): XmlElement | undefined {
  return el?.children.find((c) => c.local === local && (ns === undefined || c.ns === ns))
}

export function childrenNamed (el: XmlElement | undefined, local: string, ns?: string): XmlElement[] {
  return el?.children.filter((c) => c.local === local && (ns === undefined || c.ns === ns)) ?? []
}

/** The trimmed text of a descendant reached by local names, or undefined when a step is missing. */
export function textAt (el: XmlElement | undefined, ...path: string[]): string | undefined {
  let at = el
  for (const local of path) at = child(at, local)
  return at?.text.trim()
}

export function attribute (el: XmlElement | undefined, local: string): string | undefined {
  return el?.attributes.find((a) => a.local === local)?.value
}

/** Escapes text for element content and double-quoted attribute values. */
export function esc (s: string | number | boolean): string {
  return String(s).replace(/[<>&"']/g, (c) => `&#${c.charCodeAt(0)};`)
}
