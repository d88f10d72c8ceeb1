import { randomBytes } from 'node:crypto'

// Plain TypeScript with no imports of ours, so the bench (run by node without a build) can make ids too.

/** 48 bits of milliseconds: ids sort correctly until the year 10889. */
const MAX_MS = 0xffff_ffff_ffff
let lastMs = 0
let sequence = 0

/**
 * Ids sort newest first: 12 hex digits of the time counted down, 2 of a sequence counted down
 * within the millisecond, then 72 random bits (no guessing another upload's id). A listing of
 * keys in order (ascending, as S3 and a sorted folder give them) is then newest first, and can
 * stop after a page instead of reading every record. Safe as a key segment.
 */
export function newId(prefix: 'f' | 'j' | 'q' | 's'): string {
  let ms = Date.now()
  if (ms <= lastMs) {
    ms = lastMs
    // More than 256 ids in one millisecond: borrow the next one, so the order still holds.
    if (++sequence > 0xff) {
      ms = ++lastMs
      sequence = 0
    }
  } else {
    lastMs = ms
    sequence = 0
  }
  const time = (MAX_MS - ms).toString(16).padStart(12, '0')
  const seq = (0xff - sequence).toString(16).padStart(2, '0')
  return `${prefix}_${time}${seq}${randomBytes(9).toString('hex')}`
}
