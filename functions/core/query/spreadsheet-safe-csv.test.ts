import { Readable } from 'node:stream'
import { text } from 'node:stream/consumers'
import { describe, expect, it } from 'vitest'
import { isNumberType, spreadsheetSafeCsv } from './spreadsheet-safe-csv.ts'

const COLUMNS = [
  { name: 'id', type: 'bigint' },
  { name: 'label', type: 'string' },
  { name: 'amount', type: 'decimal(10,2)' },
]

/** The transform's output for `csv` fed in chunks of `size` bytes (every split point when 1). */
async function safe(csv: string, columns: readonly { type: string }[] = COLUMNS, size = Number.POSITIVE_INFINITY): Promise<string> {
  const bytes = Buffer.from(csv)
  const chunks: Buffer[] = []
  for (let i = 0; i < bytes.length; i += Math.min(size, bytes.length)) chunks.push(bytes.subarray(i, i + size))
  return text(Readable.from(chunks).pipe(spreadsheetSafeCsv(columns)))
}

describe('spreadsheetSafeCsv', () => {
  it('prefixes text cells that start with = + - @ tab or CR with a single quote', async () => {
    const csv = [
      'id,label,amount',
      '1,"=HYPERLINK(""http://x"",""click"")",1.00',
      '2,@SUM(A1),2.00',
      '3,+cmd|\' /C calc\'!A0,3.00',
      '4,-2+3,4.00',
      '5,\tleading tab,5.00',
      '6,"\rleading CR",6.00',
      '',
    ].join('\n')
    expect(await safe(csv)).toBe(
      [
        'id,label,amount',
        '1,"\'=HYPERLINK(""http://x"",""click"")",1.00',
        "2,'@SUM(A1),2.00",
        "3,'+cmd|' /C calc'!A0,3.00",
        "4,'-2+3,4.00",
        "5,'\tleading tab,5.00",
        '6,"\'\rleading CR",6.00',
        '',
      ].join('\n'),
    )
  })

  it('leaves numbers in number columns as they are, but not number-like text', async () => {
    expect(await safe('id,label,amount\n-5,-5,-2.50\n+7,+x,-0.01\n')).toBe("id,label,amount\n-5,'-5,-2.50\n+7,'+x,-0.01\n")
  })

  it('treats the header row as text, whatever its column types', async () => {
    expect(await safe('=id,@label,-amount\n1,a,1\n')).toBe("'=id,'@label,'-amount\n1,a,1\n")
  })

  it('passes everything else byte for byte: quoting, NULL against empty, quotes, commas and line breaks in cells, UTF-8', async () => {
    const csv = 'id,label,amount\n1,,\n2,"",1\n3,"a, ""b""\n=c",1\n4,"""=quoted first",1\n5,Zoë — 日本 😀 = ok,1\n6,a=b,1\n'
    expect(await safe(csv)).toBe(csv)
  })

  it('gives the same bytes whichever way the stream is split', async () => {
    const csv = 'id,label,amount\n1,"=HYPERLINK(""x"")",1\n2,"",-3\n3,"say ""=hi""\n-there",2\n4,é=@,1\n5,@x,1\n'
    const whole = await safe(csv)
    expect(whole).toBe('id,label,amount\n1,"\'=HYPERLINK(""x"")",1\n2,"",-3\n3,"say ""=hi""\n-there",2\n4,é=@,1\n5,\'@x,1\n')
    for (const size of [1, 2, 3, 5, 7]) expect(await safe(csv, COLUMNS, size), `chunks of ${size}`).toBe(whole)
  })

  it('checks every cell of a column it has no type for', async () => {
    expect(await safe('a,b\n-1,=2\n', [{ type: 'bigint' }])).toBe("a,b\n-1,'=2\n")
  })
})

describe('isNumberType', () => {
  it('knows the catalog\'s number types and nothing else', () => {
    for (const type of ['tinyint', 'smallint', 'int', 'bigint', 'float', 'double', 'decimal(10,2)', 'DECIMAL(38, 0)']) expect([type, isNumberType(type)]).toEqual([type, true])
    for (const type of ['string', 'boolean', 'date', 'timestamp', 'binary', 'array<int>', 'struct<a:int>', 'map<string,int>']) expect([type, isNumberType(type)]).toEqual([type, false])
  })
})
