// Bulk import of tenants into one building: the template to fill in, the file
// sent as it is (CSV or XLSX, the upload's progress shown), the platform's
// preview with every row's errors in words, then the valid rows registered
// and the result per row.

import { useState } from 'preact/hooks'
import {
  CSV_TYPE, IMPORT_MAX_BYTES, XLSX_TYPE, type ImportCommit, type ImportPreview, type ImportRowError,
} from '../../../../contract/routes/landlord-routes.ts'
import { ErrorText } from '../../components/error-text.tsx'
import { Loaded } from '../../components/loading.tsx'
import { formatDate, formatDateTime } from '../../format.ts'
import { hasText, t } from '../../i18n/index.ts'
import { href } from '../../router.ts'
import { api, ApiError } from '../../session.ts'
import { useData } from '../../use-data.ts'

export function ImportPage ({ buildingId }: { buildingId: string }) {
  const building = useData(async () => await api.request('GET /buildings/:id', { params: { id: buildingId } }), [buildingId])
  const [preview, setPreview] = useState<ImportPreview | undefined>()
  const [result, setResult] = useState<ImportCommit | undefined>()
  const restart = (): void => { setPreview(undefined); setResult(undefined) }
  return (
    <Loaded data={building}>
      {(b) => (
        <section>
          <p><a href={href(`/landlord/buildings/${encodeURIComponent(b.id)}`)}>← {b.name}</a></p>
          <h1>{t('landlord.import.title')}</h1>
          {preview === undefined && <UploadForm buildingId={b.id} onPreview={setPreview} />}
          {preview !== undefined && result === undefined && <PreviewView preview={preview} timeZone={b.timeZone} onCommitted={setResult} onCancel={restart} />}
          {result !== undefined && <ResultView result={result} buildingId={b.id} onAgain={restart} />}
        </section>
      )}
    </Loaded>
  )
}

/** The content type the platform reads a file as, by its name; undefined: neither CSV nor XLSX. */
function fileType (file: File): string | undefined {
  const name = file.name.toLowerCase()
  if (name.endsWith('.csv')) return CSV_TYPE
  if (name.endsWith('.xlsx')) return XLSX_TYPE
  return undefined
}

/** POST /buildings/:id/imports with the file as the raw body; XMLHttpRequest, for the upload's progress. */
async function uploadFile (buildingId: string, file: File, type: string, onProgress: (fraction: number) => void): Promise<ImportPreview> {
  const path = `/buildings/${encodeURIComponent(buildingId)}/imports`
  return await new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest()
    xhr.open('POST', path)
    xhr.setRequestHeader('content-type', type)
    if (api.csrfToken !== '') xhr.setRequestHeader('x-rh-csrf', api.csrfToken)
    xhr.upload.onprogress = (e) => { if (e.lengthComputable) onProgress(e.loaded / e.total) }
    xhr.onload = () => {
      if (xhr.status === 201) resolve(JSON.parse(xhr.responseText) as ImportPreview)
      else reject(ApiError.from(xhr.status, xhr.responseText, `POST ${path}`))
    }
    xhr.onerror = () => reject(new TypeError('network'))
    xhr.send(file)
  })
}

/** The platform's own sentence of a refusal, without the route, status and code ApiError puts before it. */
const platformMessage = (e: ApiError): string => e.message.replace(`${e.route}: ${e.status} ${e.code} `, '')

function UploadForm ({ buildingId, onPreview }: { buildingId: string; onPreview: (p: ImportPreview) => void }) {
  const [file, setFile] = useState<File | undefined>()
  const [progress, setProgress] = useState<number | undefined>()
  const [problem, setProblem] = useState('')
  const [error, setError] = useState<unknown>()
  const submit = async (e: Event): Promise<void> => {
    e.preventDefault()
    setError(undefined)
    setProblem('')
    if (file === undefined) { setProblem(t('landlord.import.noFile')); return }
    const type = fileType(file)
    if (type === undefined) { setProblem(t('landlord.import.wrongType')); return }
    if (file.size > IMPORT_MAX_BYTES) { setProblem(t('landlord.import.tooLarge', { mb: IMPORT_MAX_BYTES / 1024 / 1024 })); return }
    setProgress(0)
    try {
      onPreview(await uploadFile(buildingId, file, type, setProgress))
    } catch (err) {
      setError(err)
      setProgress(undefined)
    }
  }
  const busy = progress !== undefined
  return (
    <>
      <div class='card'>
        <h2>{t('landlord.import.step1')}</h2>
        <p>{t('landlord.import.templateHint')}</p>
        <div class='actions'>
          <a class='button' href='/imports/template.csv' download>{t('landlord.import.templateCsv')}</a>
          <a class='button' href='/imports/template.xlsx' download>{t('landlord.import.templateXlsx')}</a>
        </div>
      </div>
      <form class='card form' onSubmit={submit} aria-label={t('landlord.import.step2')}>
        <h2>{t('landlord.import.step2')}</h2>
        <label>
          {t('landlord.import.file')}
          <input
            name='file' type='file' accept={`.csv,.xlsx,${CSV_TYPE},${XLSX_TYPE}`} disabled={busy}
            onChange={(e) => { setFile(e.currentTarget.files?.[0]); setProblem(''); setError(undefined) }}
          />
        </label>
        <p class='muted'>{t('landlord.import.limits', { mb: IMPORT_MAX_BYTES / 1024 / 1024 })}</p>
        {problem !== '' && <p class='error' role='alert'>{problem}</p>}
        {error instanceof ApiError && error.status === 400
          ? <p class='error' role='alert'>{t('landlord.import.unreadable', { message: platformMessage(error) })}</p>
          : <ErrorText error={error} />}
        {busy && (
          <p role='status'>
            <label>
              {progress < 1 ? t('landlord.import.uploading', { percent: Math.round(progress * 100) }) : t('landlord.import.checking')}
              <progress max={1} value={progress < 1 ? progress : undefined} />
            </label>
          </p>
        )}
        <button type='submit' class='primary' disabled={busy}>{t('landlord.import.upload')}</button>
      </form>
    </>
  )
}

/** What is wrong with a cell, in words: `证件号码：校验位不符`. */
function rowErrorText (e: ImportRowError): string {
  const column = `landlord.import.column.${e.column}`
  return t('landlord.import.cellError', { column: hasText(column) ? t(column) : e.column, problem: t(`landlord.import.error.${e.code}`) })
}

function PreviewView ({ preview, timeZone, onCommitted, onCancel }: {
  preview: ImportPreview; timeZone: string; onCommitted: (r: ImportCommit) => void; onCancel: () => void
}) {
  const [error, setError] = useState<unknown>()
  const [busy, setBusy] = useState(false)
  const commit = async (): Promise<void> => {
    setBusy(true)
    setError(undefined)
    try {
      onCommitted(await api.request('POST /buildings/:id/imports/:previewId/commit', { params: { id: preview.buildingId, previewId: preview.previewId } }))
    } catch (err) {
      setError(err)
      setBusy(false)
    }
  }
  return (
    <div>
      <h2>{t('landlord.import.preview')}</h2>
      <p role='status'>{t('landlord.import.counts', { valid: preview.valid, invalid: preview.invalid })}</p>
      <p class='muted'>{t('landlord.import.expires', { time: formatDateTime(preview.expiresAt, timeZone) })}</p>
      <table class='import-preview'>
        <thead>
          <tr>
            <th scope='col'>{t('landlord.import.row')}</th>
            <th scope='col'>{t('landlord.import.column.room')}</th>
            <th scope='col'>{t('landlord.import.column.name')}</th>
            <th scope='col'>{t('landlord.import.column.idNumber')}</th>
            <th scope='col'>{t('landlord.import.column.arrivedAt')}</th>
            <th scope='col'>{t('landlord.import.column.permitValidUntil')}</th>
            <th scope='col'>{t('landlord.import.column.card')}</th>
            <th scope='col'>{t('landlord.import.check')}</th>
          </tr>
        </thead>
        <tbody>
          {preview.rows.map(({ row, registration: r, errors }) => (
            <tr key={row} data-row={row} class={errors.length > 0 ? 'row-warn' : undefined}>
              <th scope='row'>{row}</th>
              {r === null
                ? <td colSpan={6} class='muted'>{t('landlord.import.notRead')}</td>
                : (
                  <>
                    <td>{r.roomNumber}</td>
                    <td>{r.name}</td>
                    <td>{t(`idType.${r.idType}`)} {r.idNumberMasked}</td>
                    <td>{formatDate(r.arrivedAt, timeZone)}</td>
                    <td>{formatDate(r.permitValidUntil, timeZone)}</td>
                    <td>{r.cardMasked ?? '—'}</td>
                  </>
                  )}
              <td>
                {errors.length === 0
                  ? <span class='ok'>{t('landlord.import.rowOk')}</span>
                  : <ul class='row-errors'>{errors.map((e) => <li key={`${e.column}-${e.code}`} class='error'>{rowErrorText(e)}</li>)}</ul>}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      <ErrorText error={error} />
      <div class='actions'>
        <button type='button' class='primary' disabled={busy || preview.valid === 0} onClick={() => { void commit() }}>
          {t('landlord.import.commit', { n: preview.valid })}
        </button>
        <button type='button' disabled={busy} onClick={onCancel}>{t('landlord.import.another')}</button>
      </div>
    </div>
  )
}

function ResultView ({ result, buildingId, onAgain }: { result: ImportCommit; buildingId: string; onAgain: () => void }) {
  const failed = result.rows.filter((r) => r.status === 'failed' || r.status === 'pending')
  const codeText = (code: string | null): string => {
    const key = `landlord.import.failed.${code ?? ''}`
    return hasText(key) ? t(key) : t('landlord.import.failedOther', { code: code ?? '—' })
  }
  return (
    <div class='card' role='status'>
      <h2>{t('landlord.import.done')}</h2>
      <p>{t('landlord.import.result', { registered: result.registered, pending: result.pending, failed: result.failed, skipped: result.skipped })}</p>
      {failed.length > 0 && (
        <ul>
          {failed.map((r) => (
            <li key={r.row} class={r.status === 'failed' ? 'error' : 'warn'}>
              {t('landlord.import.rowIs', { row: r.row })}{r.status === 'failed' ? codeText(r.code) : t('landlord.import.rowPending')}
            </li>
          ))}
        </ul>
      )}
      <div class='actions'>
        <a class='button primary' href={href(`/landlord/buildings/${encodeURIComponent(buildingId)}`)}>{t('landlord.import.toBuilding')}</a>
        <button type='button' onClick={onAgain}>{t('landlord.import.another')}</button>
      </div>
    </div>
  )
}
