import { createWriteStream } from 'node:fs'
import { once } from 'node:events'

/** A small, fast, seeded PRNG (mulberry32): the same seed gives the same data set every run. */
export function prng(seed: number): () => number {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

const REGIONS = ['north', 'south', 'east', 'west', 'central', 'islands', 'coast', 'mountains']
const WORDS = ['alpha', 'bravo', 'charlie', 'delta', 'echo', 'foxtrot', 'golf', 'hotel', 'india', 'juliet', 'kilo', 'lima']

export const HEADER = 'id,note,region,day,amount,active'

/**
 * Writes `rows` rows of the benchmark's shape: integer id, text with quoted commas, a
 * low-cardinality text, a date, a decimal with some blanks, a boolean. About 107 bytes a row,
 * so 10 million rows make about 1 GiB.
 */
export async function writeDataset(path: string, rows: number, seed = 42): Promise<{ bytes: number; rows: number }> {
  const random = prng(seed)
  const out = createWriteStream(path)
  let bytes = 0
  const write = async (text: string) => {
    bytes += Buffer.byteLength(text)
    if (!out.write(text)) await once(out, 'drain')
  }
  await write(HEADER + '\n')
  const batch = 10_000
  for (let start = 0; start < rows; start += batch) {
    let chunk = ''
    for (let id = start + 1; id <= Math.min(rows, start + batch); id++) {
      const w1 = WORDS[Math.floor(random() * WORDS.length)]
      const w2 = WORDS[Math.floor(random() * WORDS.length)]
      const note = `"${w1}, ${w2} and ${Math.floor(random() * 100_000)} more, with a quoted comma in the note"`
      const region = REGIONS[Math.floor(random() * REGIONS.length)]
      const day = `2024-${String(1 + Math.floor(random() * 12)).padStart(2, '0')}-${String(1 + Math.floor(random() * 28)).padStart(2, '0')}`
      const amount = random() < 0.05 ? '' : (random() * 10_000).toFixed(2)
      const active = random() < 0.5 ? 'true' : 'false'
      chunk += `${id},${note},${region},${day},${amount},${active}\n`
    }
    await write(chunk)
  }
  out.end()
  await once(out, 'close')
  return { bytes, rows }
}
