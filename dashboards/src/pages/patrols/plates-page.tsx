// The printable sheet of a building's door plates (`#/plates/<id>`): one for
// the building, one per room, each a QR code of the console's URL with the
// plate's code (`/#/h/<code>`) and the code written out for typing. No
// personal data on a plate. Printed with the browser's print (patrols.css
// lays the plates out on paper and leaves the console's frame off).

import { printedHouseCode } from '../../../../contract/house-codes.ts'
import { Loaded } from '../../components/loading.tsx'
import { QrImage } from '../../components/qr-image.tsx'
import { t } from '../../i18n/index.ts'
import { api } from '../../session.ts'
import { useData } from '../../use-data.ts'
import './patrols.css'

/** What a plate's QR code holds: this console's address with only the code. */
export const plateUrl = (code: string): string => `${location.origin}/#/h/${code}`

export function PlatesPage ({ id }: { id: string }) {
  const data = useData(async () => await api.request('GET /buildings/:id/plates', { params: { id } }), [id])
  return (
    <Loaded data={data}>
      {(sheet) => (
        <section class='plate-sheet'>
          <div class='no-print'>
            <h1>{t('patrols.plates.title', { name: sheet.buildingName })}</h1>
            <p class='muted'>{t('patrols.plates.hint')}</p>
            <p><button type='button' class='primary' onClick={() => print()}>{t('patrols.plates.print')}</button></p>
          </div>
          <ul class='plates'>
            {sheet.plates.map((p) => (
              <li key={p.code} class='plate' data-code={p.code}>
                <p class='plate-building'>{sheet.buildingName}</p>
                <p class='plate-where'>{p.roomNumber === null ? t('patrols.plates.building') : t('patrols.plates.room', { number: p.roomNumber })}</p>
                <QrImage text={plateUrl(p.code)} label={t('patrols.plates.qr', { code: printedHouseCode(p.code) })} size={160} />
                <p class='plate-code'>{printedHouseCode(p.code)}</p>
                <p class='plate-address'>{sheet.address}</p>
              </li>
            ))}
          </ul>
        </section>
      )}
    </Loaded>
  )
}
