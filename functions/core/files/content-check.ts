import { AppError } from '../errors.ts'

/** Formats people upload by mistake, named so the message can say what to do instead. */
const MAGIC: { bytes: number[]; what: string }[] = [
  { bytes: [0x50, 0x4b, 0x03, 0x04], what: 'a ZIP archive (an Excel .xlsx workbook is one); save it as CSV first' },
  { bytes: [0xd0, 0xcf, 0x11, 0xe0], what: 'an old Excel/Office document; save it as CSV first' },
  { bytes: [0x25, 0x50, 0x44, 0x46], what: 'a PDF document' },
  { bytes: [0x89, 0x50, 0x4e, 0x47], what: 'a PNG image' },
  { bytes: [0xff, 0xd8, 0xff], what: 'a JPEG image' },
  // Reached only inside gzip: a Parquet upload is recognised before this check (receive-upload.ts).
  { bytes: [0x50, 0x41, 0x52, 0x31], what: 'a Parquet file inside gzip; upload the .parquet file itself (Parquet compresses its own pages)' },
  { bytes: [0x7f, 0x45, 0x4c, 0x46], what: 'a program (ELF binary)' },
]

export const GZIP_MAGIC = [0x1f, 0x8b]

export function startsWith(head: Uint8Array, magic: number[]): boolean {
  return magic.every((b, i) => head[i] === b)
}

/**
 * Refuses content that is plainly not text: known binary formats, NUL bytes outside UTF-16,
 * or many control characters. `head` is the first few KiB of the (decompressed) content.
 */
export function assertLooksLikeText(head: Uint8Array): void {
  for (const { bytes, what } of MAGIC) {
    if (startsWith(head, bytes)) throw new AppError('NOT_CSV', `This file is ${what}, not a CSV text file.`)
  }
  const utf16 = startsWith(head, [0xff, 0xfe]) || startsWith(head, [0xfe, 0xff])
  if (utf16) return
  let control = 0
  for (const byte of head) {
    if (byte === 0) {
      throw new AppError('NOT_CSV', 'This file contains NUL bytes, so it is binary, not a CSV text file.')
    }
    if (byte < 0x20 && byte !== 0x09 && byte !== 0x0a && byte !== 0x0d && byte !== 0x0c) control++
  }
  if (head.length > 0 && control / head.length > 0.01) {
    throw new AppError('NOT_CSV', 'This file has many control characters, so it is binary, not a CSV text file.')
  }
}
