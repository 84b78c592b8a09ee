// A tiny baseline JPEG encoder, enough for the camera's snapshot: a greyscale image made of flat 8x8 blocks
// (each block one grey level, so only DC coefficients are coded). The result is a real, decodable JFIF file
// of a few hundred bytes. Pure.

// The DC luminance Huffman table of the JPEG standard (ITU T.81, table K.3): code counts per length 1..16.
const DC_BITS = [0, 1, 5, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0, 0, 0]
const DC_VALUES = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]
// An AC table with one symbol, end-of-block (0x00), coded as the single bit 0: every block is flat.
const AC_BITS = [1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]
const AC_VALUES = [0]
// Quantisation: 8 for DC makes the quantised DC equal to (grey level - 128).
const DC_QUANT = 8

function canonicalCodes (bits: number[]): Array<{ code: number, length: number }> {
  const codes: Array<{ code: number, length: number }> = []
  let code = 0
  for (let length = 1; length <= 16; length++) {
    for (let k = 0; k < bits[length - 1]!; k++) codes.push({ code: code++, length })
    code <<= 1
  }
  return codes
}
const DC_CODES = canonicalCodes(DC_BITS)

class BitWriter {
  private readonly bytes: number[] = []
  private acc = 0
  private n = 0
  write (value: number, length: number): void {
    for (let b = length - 1; b >= 0; b--) {
      this.acc = (this.acc << 1) | ((value >> b) & 1)
      if (++this.n === 8) this.flushByte()
    }
  }

  private flushByte (): void {
    this.bytes.push(this.acc)
    if (this.acc === 0xff) this.bytes.push(0x00) // byte stuffing
    this.acc = 0
    this.n = 0
  }

  /** Pads the last byte with 1 bits, as the standard asks. */
  finish (): number[] {
    while (this.n !== 0) this.write(1, 1)
    return this.bytes
  }
}

function segment (marker: number, payload: number[]): number[] {
  const length = payload.length + 2
  return [0xff, marker, length >> 8, length & 0xff, ...payload]
}

/**
 * Encodes a greyscale image given as block levels: `blocks[row][col]` is the grey level (0..255) of the 8x8
 * block at that place. The image is 8·cols × 8·rows pixels.
 */
export function encodeBlockJpeg (blocks: number[][]): Buffer {
  const rows = blocks.length
  const cols = blocks[0]?.length ?? 0
  if (rows === 0 || cols === 0 || rows > 512 || cols > 512 || blocks.some((r) => r.length !== cols)) {
    throw new RangeError('blocks must be a non-empty rectangle of at most 512 x 512')
  }
  const width = cols * 8
  const height = rows * 8
  const quant = [DC_QUANT, ...new Array<number>(63).fill(1)]
  const bits = new BitWriter()
  let previous = 0
  for (const row of blocks) {
    for (const level of row) {
      const dc = Math.max(-128, Math.min(127, Math.round(level) - 128))
      const diff = dc - previous
      previous = dc
      const size = diff === 0 ? 0 : Math.floor(Math.log2(Math.abs(diff))) + 1
      const { code, length } = DC_CODES[DC_VALUES.indexOf(size)]!
      bits.write(code, length)
      if (size > 0) bits.write(diff >= 0 ? diff : diff + (1 << size) - 1, size)
      bits.write(0, 1) // end of block
    }
  }
  return Buffer.from([
    0xff, 0xd8,
    ...segment(0xe0, [0x4a, 0x46, 0x49, 0x46, 0x00, 1, 1, 0, 0, 1, 0, 1, 0, 0]), // JFIF 1.1, no thumbnail
    ...segment(0xdb, [0x00, ...quant]),
    ...segment(0xc0, [8, height >> 8, height & 0xff, width >> 8, width & 0xff, 1, 1, 0x11, 0]),
    ...segment(0xc4, [0x00, ...DC_BITS, ...DC_VALUES]),
    ...segment(0xc4, [0x10, ...AC_BITS, ...AC_VALUES]),
    ...segment(0xda, [1, 1, 0x00, 0, 63, 0]),
    ...bits.finish(),
    0xff, 0xd9,
  ])
}

/** The camera's view: a floor, a wall and a door-shaped dark area, with a marker block that moves per frame. */
export function sceneJpeg (frame: number, covered: boolean): Buffer {
  const cols = 8
  const rows = 6
  const blocks: number[][] = []
  for (let r = 0; r < rows; r++) {
    const line: number[] = []
    for (let c = 0; c < cols; c++) {
      if (covered) line.push(12)
      else if (c >= 3 && c <= 4 && r >= 1) line.push(50)
      else line.push(r >= 4 ? 150 : 200)
    }
    blocks.push(line)
  }
  if (!covered) blocks[0]![frame % cols] = 255
  return encodeBlockJpeg(blocks)
}
