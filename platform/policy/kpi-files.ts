// The KPIs as the rows of a file (CSV or Excel, register-files.ts renders
// them): one row per subject, day and KPI, with Chinese headers.

import type { KpiFigureView, KpiView } from '../../contract/routes/kpi-routes.ts'

type Rows = Array<Array<string | number | null>>

export const KPI_LABELS: Record<KpiFigureView['kpi'], string> = {
  registration_rate: '登记率',
  timely_deregistration: '及时注销率',
  household_consistency: '人户一致率',
  rental_registration: '出租屋登记率',
  agreement_rate: '责任书签订率',
  reconciled_share: '月度核对完成率',
  entry_timeliness: '录入及时率',
}

const HEADER = ['对象 subject', '名称 name', '日期 day', '指标 KPI', '代码 code', '分子 numerator', '分母 denominator', '数值 % value', '目标 % target', '达标 met']

const pct = (x: number | null): number | null => (x === null ? null : Math.round(x * 1000) / 10)

function line (subject: string, name: string, day: string, f: KpiFigureView): Array<string | number | null> {
  return [subject, name, day, KPI_LABELS[f.kpi], f.kpi, f.numerator, f.denominator, pct(f.value), pct(f.target), f.met === null ? null : f.met ? '是' : '否']
}

export function kpiFileRows (view: KpiView): Rows {
  const today = view.asOf.slice(0, 10)
  const rows: Rows = [HEADER]
  for (const f of view.figures) rows.push(line(`${view.subject.kind}:${view.subject.id}`, view.subject.name, today, f))
  for (const c of view.children) for (const f of c.figures) rows.push(line(`${c.kind}:${c.id}`, c.name, today, f))
  for (const s of view.snapshots) for (const f of s.figures) rows.push(line(`${view.subject.kind}:${view.subject.id}`, view.subject.name, s.day, f))
  return rows
}
