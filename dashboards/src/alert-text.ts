// What an alert says, in the reader's language: its reason worded by the
// contract's templates (contract/alert-wording.ts), times in the building's
// zone; an alert of before, or of a code this console does not know yet, by
// its stored explanation.

import { isAlertReasonCode, wordAlert, type AlertReason } from '../../contract/alert-wording.ts'
import type { Alert } from '../../contract/schemas/alerts.ts'
import { formatDateTime } from './format.ts'
import { language } from './i18n/index.ts'

export function alertText (alert: Pick<Alert, 'reason' | 'explanation'>, timeZone?: string): string {
  const r = alert.reason
  if (r === null || r === undefined || !isAlertReasonCode(r.code)) return alert.explanation
  return wordAlert(r as AlertReason, language(), { time: (iso) => formatDateTime(iso, timeZone) })
}
