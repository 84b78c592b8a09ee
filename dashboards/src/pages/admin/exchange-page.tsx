// Data exchange with other departments: download an export (buildings,
// rooms, registrations, residents; ID numbers masked unless asked whole with
// a reason, audited), and import a department's file all or nothing: check it
// first (nothing applied), then import; the report says per row what it does
// or what is wrong.

import { useState } from 'preact/hooks'
import { ApiError } from '../../../../contract/client.ts'
import {
  EXCHANGE_DATASETS, EXCHANGE_FORMATS, IMPORTABLE_DATASETS, type ExchangeDataset, type ExchangeFormat, type ImportReport,
} from '../../../../contract/routes/exchange-routes.ts'
import { CSV_TYPE, XLSX_TYPE } from '../../../../contract/routes/landlord-routes.ts'
import { Loaded } from '../../components/loading.tsx'
import { t } from '../../i18n/index.ts'
import { api } from '../../session.ts'
import { useAction } from '../../use-action.ts'
import { useData } from '../../use-data.ts'
import { AccessRecords } from './access-records.tsx'
import { AdminError } from './admin-errors.tsx'
import { areaOptions } from './area-names.ts'

type Importable = (typeof IMPORTABLE_DATASETS)[number]

/** `canImport`: administrators import; police of an area export and read the access records of their area only. */
export function ExchangePage ({ canImport = true }: { canImport?: boolean }) {
  const areas = useData(async () => await api.request('GET /areas'), [])
  return (
    <section>
      <h1>{t('admin.exchange.title')}</h1>
      <p class='muted'>{t(canImport ? 'admin.exchange.intro' : 'exchange.policeIntro')}</p>
      <Loaded data={areas}>{(list) => <ExportForm areas={list} />}</Loaded>
      <Loaded data={areas}>{(list) => <AccessRecords areas={list} />}</Loaded>
      {canImport && <ImportForm />}
    </section>
  )
}

function ExportForm ({ areas }: { areas: Parameters<typeof areaOptions>[0] }) {
  const [dataset, setDataset] = useState<ExchangeDataset>('registrations')
  const [format, setFormat] = useState<ExchangeFormat>('csv')
  const [areaId, setAreaId] = useState('')
  const [whole, setWhole] = useState(false)
  const [reason, setReason] = useState('')
  const query = new URLSearchParams({ format })
  if (areaId !== '') query.set('areaId', areaId)
  if (whole) { query.set('idNumbers', 'whole'); query.set('reason', reason.trim()) }
  const ready = !whole || reason.trim().length >= 4
  return (
    <form class='form card' aria-labelledby='export-title' onSubmit={(e) => e.preventDefault()}>
      <h2 id='export-title'>{t('admin.exchange.export')}</h2>
      <label>
        {t('admin.exchange.dataset')}
        <select name='exportDataset' value={dataset} onChange={(e) => setDataset(e.currentTarget.value as ExchangeDataset)}>
          {EXCHANGE_DATASETS.map((d) => <option key={d} value={d}>{t(`admin.exchange.dataset.${d}`)}</option>)}
        </select>
      </label>
      <label>
        {t('admin.exchange.format')}
        <select name='format' value={format} onChange={(e) => setFormat(e.currentTarget.value as ExchangeFormat)}>
          {EXCHANGE_FORMATS.map((f) => <option key={f} value={f}>{f.toUpperCase()}</option>)}
        </select>
      </label>
      <label>
        {t('admin.webhooks.area')} <small>{t('admin.exchange.areaHint')}</small>
        <select name='areaId' value={areaId} onChange={(e) => setAreaId(e.currentTarget.value)}>
          <option value=''>{t('admin.exchange.allAreas')}</option>
          {areaOptions(areas).map((o) => <option key={o.area.id} value={o.area.id}>{o.label}</option>)}
        </select>
      </label>
      <label class='choice'>
        <input type='checkbox' name='whole' checked={whole} onChange={(e) => setWhole(e.currentTarget.checked)} /> {t('admin.exchange.whole')}
      </label>
      {whole && (
        <label>
          {t('admin.exchange.reason')} <small>{t('admin.exchange.reasonHint')}</small>
          <input name='reason' required minLength={4} maxLength={500} value={reason} onInput={(e) => setReason(e.currentTarget.value)} />
        </label>
      )}
      <div class='actions'>
        {ready
          ? <a class='button primary' href={`/exchange/${dataset}?${query.toString()}`} download>{t('admin.exchange.download')}</a>
          : <span class='muted'>{t('admin.exchange.reasonFirst')}</span>}
      </div>
    </form>
  )
}

/** The content type of a file by its name; undefined: neither CSV, XLSX nor JSON. */
function fileType (file: File): string | undefined {
  const name = file.name.toLowerCase()
  if (name.endsWith('.csv')) return CSV_TYPE
  if (name.endsWith('.xlsx')) return XLSX_TYPE
  if (name.endsWith('.json')) return 'application/json'
  return undefined
}

async function sendImport (dataset: Importable, file: File, dryRun: boolean): Promise<ImportReport> {
  const type = fileType(file)
  if (type === undefined) throw new Error(t('admin.exchange.fileType'))
  const path = `/exchange/${dataset}/import?dryRun=${dryRun}`
  const headers: Record<string, string> = { 'content-type': type }
  if (api.csrfToken !== '') headers['x-rh-csrf'] = api.csrfToken
  const r = await fetch(path, { method: 'POST', headers, body: file, credentials: 'same-origin' })
  const text = await r.text()
  if (!r.ok) throw ApiError.from(r.status, text, `POST ${path}`)
  return JSON.parse(text) as ImportReport
}

function ImportForm () {
  const [dataset, setDataset] = useState<Importable>('registrations')
  const [file, setFile] = useState<File | undefined>()
  const [report, setReport] = useState<ImportReport | undefined>()
  const { busy, error, run } = useAction()
  const send = (dryRun: boolean): Promise<void> => run(async () => {
    if (file === undefined) throw new Error(t('admin.exchange.noFile'))
    setReport(await sendImport(dataset, file, dryRun))
  })
  return (
    <form class='form card' aria-labelledby='import-title' onSubmit={(e) => { e.preventDefault(); void send(true) }}>
      <h2 id='import-title'>{t('admin.exchange.import')}</h2>
      <p class='muted'>{t('admin.exchange.importIntro')}</p>
      <label>
        {t('admin.exchange.dataset')}
        <select name='importDataset' value={dataset} onChange={(e) => { setDataset(e.currentTarget.value as Importable); setReport(undefined) }}>
          {IMPORTABLE_DATASETS.map((d) => <option key={d} value={d}>{t(`admin.exchange.dataset.${d}`)}</option>)}
        </select>
      </label>
      <label>
        {t('admin.exchange.file')}
        <input name='file' type='file' accept='.csv,.xlsx,.json' onChange={(e) => { setFile(e.currentTarget.files?.[0]); setReport(undefined) }} />
      </label>
      <AdminError error={error} badRequest='admin.exchange.refused' />
      <div class='actions'>
        <button type='submit' disabled={busy}>{t('admin.exchange.check')}</button>
        {report !== undefined && report.dryRun && report.invalid === 0 && (
          <button type='button' class='primary' disabled={busy} onClick={() => { void send(false) }}>{t('admin.exchange.apply')}</button>
        )}
      </div>
      {report !== undefined && <Report report={report} />}
    </form>
  )
}

function Report ({ report: r }: { report: ImportReport }) {
  const summary = r.applied
    ? t('admin.exchange.applied', { created: r.created, updated: r.updated, unchanged: r.unchanged })
    : r.invalid > 0
      ? t('admin.exchange.notApplied', { invalid: r.invalid })
      : t('admin.exchange.checked', { created: r.created, updated: r.updated, unchanged: r.unchanged })
  return (
    <section aria-label={t('admin.exchange.outcome')}>
      <p class='exchange-summary' role='status'>{summary}</p>
      <table class='exchange-report'>
        <thead>
          <tr>
            <th scope='col'>{t('admin.exchange.row')}</th>
            <th scope='col'>{t('admin.exchange.key')}</th>
            <th scope='col'>{t('admin.exchange.outcome')}</th>
          </tr>
        </thead>
        <tbody>
          {r.rows.map((row) => (
            <tr key={row.row} data-row={row.row}>
              <td>{row.row}</td>
              <td class='wrap'>{row.key}</td>
              <td>
                {row.outcome !== null
                  ? t(`admin.exchange.outcome.${row.outcome}`)
                  : row.errors.map((e) => `${e.column ?? ''}${e.column === null ? '' : ': '}${e.message ?? e.code}`).join('; ')}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  )
}
