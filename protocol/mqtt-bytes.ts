// MQTT 3.1.1 byte-level pieces (section 2.2.3, 1.5.3), shared by whatever
// writes packets by hand: the load generator's hot path and the tests that
// send exactly the bytes a broken client would.

/** The remaining length of a fixed header: 1 to 4 bytes of 7 bits, least significant first. */
export function remainingLength (n: number): Buffer {
  const out: number[] = []
  do {
    let byte = n % 128
    n = Math.floor(n / 128)
    if (n > 0) byte |= 0x80
    out.push(byte)
  } while (n > 0)
  return Buffer.from(out)
}

/** A length-prefixed field (section 1.5.3). */
export function field (b: Buffer | string): Buffer {
  const data = typeof b === 'string' ? Buffer.from(b, 'utf8') : b
  const len = Buffer.alloc(2)
  len.writeUInt16BE(data.length)
  return Buffer.concat([len, data])
}

/** A whole packet: the first byte, the remaining length, the body. */
export function frame (firstByte: number, body: Buffer): Buffer {
  return Buffer.concat([Buffer.from([firstByte]), remainingLength(body.length), body])
}

export const PINGREQ = Buffer.from([0xc0, 0x00])
export const DISCONNECT = Buffer.from([0xe0, 0x00])
