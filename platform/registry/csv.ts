// CSV as spreadsheets write it (RFC 4180): fields separated by commas, quoted
// with double quotes when they hold a comma, a quote or a line break, lines
// ended by CRLF or LF. Files are UTF-8 (a byte order mark is dropped); one
// that is not valid UTF-8 is read as GB 18030, what Excel on a Chinese
// system saves "CSV" in.

/** The text of a CSV file's bytes. */
export function decodeCsv (bytes: Uint8Array): string {
  let text: string
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes)
  } catch {
    text = new TextDecoder('gb18030').decode(bytes)
  }
  return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text
}

/** Rows of fields. A quote left open runs to the end of the file. */
export function parseCsv (text: string): string[][] {
  const rows: string[][] = []
  let row: string[] = []
  let field = ''
  let quoted = false
  let i = 0
  while (i < text.length) {
    const c = text[i]!
    if (quoted) {
      if (c === '"') {
        if (text[i + 1] === '"') { field += '"'; i += 2; continue }
        quoted = false
      } else {
        field += c
      }
      i++
      continue
    }
    if (c === '"' && field === '') {
      quoted = true
    } else if (c === ',') {
      row.push(field)
      field = ''
    } else if (c === '\n' || c === '\r') {
      row.push(field)
      rows.push(row)
      row = []
      field = ''
      if (c === '\r' && text[i + 1] === '\n') i++
    } else {
      field += c
    }
    i++
  }
  if (field !== '' || row.length > 0) { row.push(field); rows.push(row) }
  return rows
}

const NEEDS_QUOTES = /[",\r\n]/
/** Text a spreadsheet would run as a formula: prefixed with an apostrophe (CSV injection). */
const FORMULA_START = /^[=+\-@\t\r]/

function csvField (v: string | number | null): string {
  if (v === null) return ''
  let s = String(v)
  if (typeof v === 'string' && FORMULA_START.test(s)) s = `'${s}`
  return NEEDS_QUOTES.test(s) ? `"${s.replace(/"/g, '""')}"` : s
}

/** A CSV file: UTF-8 with a byte order mark (so that Excel reads the Chinese right), CRLF line ends. */
export function writeCsv (rows: ReadonlyArray<ReadonlyArray<string | number | null>>): Buffer {
  return Buffer.from('\ufeff' + rows.map((r) => r.map(csvField).join(',')).join('\r\n') + '\r\n', 'utf8')
}
