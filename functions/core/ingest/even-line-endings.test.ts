import { describe, expect, it } from 'vitest'
import { evenLineEndings } from './even-line-endings.ts'

const comma = { delimiter: ',' as const, quote: '"', escape: '"' }

/** Runs the text through in chunks cut at `cut` (every byte when 1), as a file stream may. */
async function even(text: string, cut: number, dialect: Parameters<typeof evenLineEndings>[0] = comma) {
  const stream = evenLineEndings(dialect)
  const out: Buffer[] = []
  stream.on('data', (b: Buffer) => out.push(b))
  const bytes = Buffer.from(text)
  for (let i = 0; i < bytes.length; i += cut) stream.write(bytes.subarray(i, i + cut))
  stream.end()
  await new Promise((resolve) => stream.on('end', resolve))
  return { text: Buffer.concat(out).toString(), mixed: stream.mixed() }
}

describe('evenLineEndings', () => {
  it.each([1, 2, 3, 1024])('turns every break outside quotes into \\n, in chunks of %i bytes', async (cut) => {
    expect(await even('a,b\r\n1,2\n3,4\r5,6\r\n', cut)).toEqual({ text: 'a,b\n1,2\n3,4\n5,6\n', mixed: true })
  })

  it.each([1, 5, 1024])('keeps breaks inside quotes, doubled quotes included (chunks of %i)', async (cut) => {
    const text = 'id,note\r\n1,"a ""q""\r\nb"\n2,"x\ny"\r\n3,x"y\r\n'
    expect(await even(text, cut)).toEqual({ text: 'id,note\n1,"a ""q""\r\nb"\n2,"x\ny"\n3,x"y\n', mixed: true })
  })

  it('reads a backslash-escaped quote as data', async () => {
    const dialect = { ...comma, escape: '\\' }
    expect(await even('a,b\r\n1,"x\\"\r\ny"\n', 1, dialect)).toEqual({ text: 'a,b\n1,"x\\"\r\ny"\n', mixed: true })
  })

  it('says a file with one kind of break is not mixed', async () => {
    expect((await even('a,b\r\n1,"2\n3"\r\n', 1)).mixed).toBe(false)
    expect((await even('a,b\r1,2\r', 1)).mixed).toBe(false)
  })
})
