// A QR code drawn in the page (no service is asked): for visitor passes and
// tenants' QR credentials.

import { toDataURL } from 'qrcode'
import { useEffect, useState } from 'preact/hooks'

export function QrImage ({ text, label, size = 200 }: { text: string; label: string; size?: number }) {
  const [url, setUrl] = useState<string | undefined>()
  useEffect(() => {
    let live = true
    toDataURL(text, { width: size, margin: 1, errorCorrectionLevel: 'M' }).then((u) => { if (live) setUrl(u) }, () => {})
    return () => { live = false }
  }, [text, size])
  return url === undefined ? null : <img src={url} width={size} height={size} alt={label} class='qr' />
}
