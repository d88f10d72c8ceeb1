import { AppError } from '../errors.ts'

export type DetectedEncoding = { encoding: string; bom: boolean }

const BOMS: { bytes: number[]; encoding: string }[] = [
  { bytes: [0xef, 0xbb, 0xbf], encoding: 'utf-8' },
  { bytes: [0xff, 0xfe], encoding: 'utf-16le' },
  { bytes: [0xfe, 0xff], encoding: 'utf-16be' },
]

/**
 * A BOM names the encoding; otherwise valid UTF-8 is UTF-8, and anything else is taken as
 * windows-1252, a superset of Latin-1 and what Excel writes on Western-European Windows.
 */
export function detectEncoding(head: Uint8Array, truncated: boolean): DetectedEncoding {
  for (const { bytes, encoding } of BOMS) {
    if (bytes.every((b, i) => head[i] === b)) return { encoding, bom: true }
  }
  const whole = truncated ? head.subarray(0, completeUtf8Length(head)) : head
  try {
    new TextDecoder('utf-8', { fatal: true }).decode(whole)
    return { encoding: 'utf-8', bom: false }
  } catch {
    return { encoding: 'windows-1252', bom: false }
  }
}

/** Length of `bytes` without a multi-byte UTF-8 sequence that the cut of the head left incomplete. */
function completeUtf8Length(bytes: Uint8Array): number {
  const end = bytes.length
  for (let back = 1; back <= Math.min(3, end); back++) {
    const byte = bytes[end - back] ?? 0
    if ((byte & 0xc0) === 0x80) continue // continuation byte: look further back for the lead
    if (byte < 0xc0) return end // ASCII, or stray continuation: leave it to the decoder to judge
    const needed = byte >= 0xf0 ? 4 : byte >= 0xe0 ? 3 : 2
    return needed > back ? end - back : end
  }
  return end
}

/** Whether `head` starts with the byte order mark of `encoding`. */
export function hasBom(head: Uint8Array, encoding: string): boolean {
  const name = normalize(encoding)
  return BOMS.some((bom) => normalize(bom.encoding) === name && bom.bytes.every((b, i) => head[i] === b))
}

function normalize(encoding: string): string {
  return encoding.toLowerCase().replace(/[^a-z0-9]/g, '')
}

/**
 * The head as text, without a BOM. With `truncated`, a trailing half character may decode as
 * U+FFFD; callers drop the last (cut) record anyway.
 */
export function decodeHead(head: Uint8Array, encoding: string, truncated: boolean): string {
  // The platform's decoder (WHATWG encodings, with ICU): no decoding tables to load at start-up.
  let decoder: InstanceType<typeof TextDecoder>
  try {
    decoder = new TextDecoder(encoding)
  } catch {
    throw new AppError(
      'BAD_REQUEST',
      `Unknown encoding "${encoding}"; use e.g. utf-8, utf-16le, utf-16be, windows-1252 or iso-8859-1.`,
    )
  }
  const name = normalize(encoding)
  let bytes = head
  if (truncated && name.startsWith('utf16') && bytes.length % 2 === 1) bytes = bytes.subarray(0, bytes.length - 1)
  const text = decoder.decode(bytes)
  return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text
}
