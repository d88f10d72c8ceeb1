import { describe, expect, it } from 'vitest'
import { AppError } from '../errors.ts'
import { previewRows, sniffAndPreview, sniffDialect, withOverride } from './sniff.ts'

const utf8 = (text: string) => new Uint8Array(Buffer.from(text, 'utf8'))
const whole = { truncated: false, compression: 'none' } as const
const preview = (head: string | Uint8Array, opts: { truncated?: boolean; limit?: number } = {}) =>
  sniffAndPreview(typeof head === 'string' ? utf8(head) : head, { ...whole, limit: 100, ...opts })

describe('delimiter', () => {
  it.each([
    [',', 'a,b,c\n1,2,3\n4,5,6\n'],
    [';', 'a;b;c\n1;2;3\n4;5;6\n'],
    ['\t', 'a\tb\tc\n1\t2\t3\n4\t5\t6\n'],
    ['|', 'a|b|c\n1|2|3\n4|5|6\n'],
  ])('detects %j as the delimiter', (delimiter, text) => {
    const result = preview(text)
    expect(result.dialect.delimiter).toBe(delimiter)
    expect(result.dialect.columnNames).toEqual(['a', 'b', 'c'])
    expect(result.rows).toEqual([
      { a: '1', b: '2', c: '3' },
      { a: '4', b: '5', c: '6' },
    ])
  })

  it('ignores delimiters inside quoted fields', () => {
    const result = preview('name,city\n"Doe, John; Jr",Paris\n"Roe, Jane",Lyon\n')
    expect(result.dialect.delimiter).toBe(',')
    expect(result.rows[0]).toEqual({ name: 'Doe, John; Jr', city: 'Paris' })
  })

  it('prefers the consistent semicolon over decimal commas', () => {
    const result = preview('item;price\nTea;1,5\nCake;2,25\nBread;3\n')
    expect(result.dialect.delimiter).toBe(';')
    expect(result.rows[1]).toEqual({ item: 'Cake', price: '2,25' })
  })

  it('reads a single-column file with the comma delimiter', () => {
    const result = preview('city\nParis\nLyon\n')
    expect(result.dialect.delimiter).toBe(',')
    expect(result.dialect.header).toBe(true)
    expect(result.rows).toEqual([{ city: 'Paris' }, { city: 'Lyon' }])
  })
})

describe('quotes and line endings', () => {
  it('keeps line breaks inside quoted fields and flags multilineFields', () => {
    const result = preview('id,note\n1,"line one\nline two"\n2,plain\n')
    expect(result.rows).toEqual([
      { id: '1', note: 'line one\nline two' },
      { id: '2', note: 'plain' },
    ])
    expect(result.multilineFields).toBe(true)
  })

  it('does not flag multilineFields when no field has a line break', () => {
    expect(preview('id,note\n1,"a, b"\n').multilineFields).toBe(false)
  })

  it('detects CRLF and leaves no \\r in the last column', () => {
    const result = preview('a,b\r\n1,2\r\n3,4\r\n')
    expect(result.dialect.lineEnding).toBe('\r\n')
    expect(result.rows).toEqual([
      { a: '1', b: '2' },
      { a: '3', b: '4' },
    ])
  })

  it('detects a bare \\r line ending', () => {
    const result = preview('a,b\r1,2\r')
    expect(result.dialect.lineEnding).toBe('\r')
    expect(result.rows).toEqual([{ a: '1', b: '2' }])
  })

  it('ends a record at every kind of line break outside quotes, as in files joined end to end', () => {
    const result = preview('a,b\r\n1,2\n3,"x\ny"\r\n5,6\r7,8\n')
    expect(result.rows).toEqual([
      { a: '1', b: '2' },
      { a: '3', b: 'x\ny' },
      { a: '5', b: '6' },
      { a: '7', b: '8' },
    ])
    expect(result.problems).toEqual([])
  })

  it('reads doubled quotes as one quote', () => {
    const result = preview('id,said\n1,"He said ""hi"""\n')
    expect(result.dialect.escape).toBe('"')
    expect(result.rows[0]?.said).toBe('He said "hi"')
  })

  it('detects backslash-escaped quotes', () => {
    const result = preview('id,said\n1,"He said \\"hi\\" twice"\n2,plain\n')
    expect(result.dialect.escape).toBe('\\')
    expect(result.rows[0]?.said).toBe('He said "hi" twice')
    expect(result.problems).toEqual([])
  })
})

describe('encoding', () => {
  it('strips a UTF-8 BOM from the first column name', () => {
    const result = preview(Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from('id,name\n1,Ann\n')]))
    expect(result.dialect).toMatchObject({ encoding: 'utf-8', bom: true })
    expect(result.dialect.columnNames).toEqual(['id', 'name'])
    expect(result.rows).toEqual([{ id: '1', name: 'Ann' }])
  })

  it('decodes UTF-16LE with a BOM', () => {
    const result = preview(Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from('id;ville\n1;Zürich\n', 'utf16le')]))
    expect(result.dialect).toMatchObject({ encoding: 'utf-16le', bom: true, delimiter: ';' })
    expect(result.rows).toEqual([{ id: '1', ville: 'Zürich' }])
  })

  it('decodes UTF-16BE with a BOM', () => {
    const body = Buffer.from('id,ville\n1,Zürich\n', 'utf16le').swap16()
    const result = preview(Buffer.concat([Buffer.from([0xfe, 0xff]), body]))
    expect(result.dialect).toMatchObject({ encoding: 'utf-16be', bom: true })
    expect(result.rows).toEqual([{ id: '1', ville: 'Zürich' }])
  })

  it('reads Latin-1 bytes as windows-1252', () => {
    const result = preview(Buffer.from('Name;Stadt\nCafé;Zürich\n', 'latin1'))
    expect(result.dialect).toMatchObject({ encoding: 'windows-1252', bom: false, delimiter: ';' })
    expect(result.rows).toEqual([{ Name: 'Café', Stadt: 'Zürich' }])
  })

  it('keeps UTF-8 when a truncated head ends inside a multi-byte character', () => {
    const bytes = Buffer.from('name\nCafé\nZürich\n', 'utf8')
    const cut = bytes.subarray(0, bytes.indexOf(Buffer.from('ü')) + 1)
    expect(sniffDialect(cut, { truncated: true, compression: 'none' }).encoding).toBe('utf-8')
    expect(sniffDialect(cut, { truncated: false, compression: 'none' }).encoding).toBe('windows-1252')
  })

  it('echoes the compression it is given', () => {
    expect(sniffDialect(utf8('a,b\n1,2\n'), { truncated: false, compression: 'gzip' }).compression).toBe('gzip')
  })
})

describe('header', () => {
  it('takes a text row over numeric columns as the header', () => {
    const result = preview('name,age\nAnn,31\nBob,42\n')
    expect(result.dialect.header).toBe(true)
    expect(result.columns).toEqual([
      { name: 'name', type: 'string' },
      { name: 'age', type: 'bigint' },
    ])
  })

  it('takes an all-numeric first row as data and names columns column_1..n', () => {
    const result = preview('1,2,3\n4,5,6\n')
    expect(result.dialect.header).toBe(false)
    expect(result.dialect.columnNames).toEqual(['column_1', 'column_2', 'column_3'])
    expect(result.rows[0]).toEqual({ column_1: '1', column_2: '2', column_3: '3' })
  })

  it('takes column names that read as booleans (f, t, yes) over numbers or dates as a header', () => {
    const result = preview('id,f,yes,when\n1,1.5,2024-01-01,2024-01-01\n2,2.5,2024-01-02,2024-01-02\n')
    expect(result.dialect.header).toBe(true)
    expect(result.dialect.columnNames).toEqual(['id', 'f', 'yes', 'when'])
  })

  it('still takes a typed first row as data when it is of its column\'s kind (an integer over decimals)', () => {
    expect(preview('1,2024-01-01\n2.5,2024-01-02\n3.25,2024-01-03\n').dialect.header).toBe(false)
  })

  it('takes distinct all-text first row values as a header when they do not repeat below', () => {
    expect(preview('first,last\nAnn,Lee\nBob,Ray\n').dialect.header).toBe(true)
  })

  it('takes an all-text first row as data when a value repeats below it', () => {
    const result = preview('Ann,Lee\nBob,Ray\nAnn,Kim\n')
    expect(result.dialect.header).toBe(false)
    expect(result.rows).toHaveLength(3)
  })

  it('accepts a blank header cell over an index column, as pandas writes', () => {
    const result = preview(',price\n0,1.5\n1,2.5\n')
    expect(result.dialect.header).toBe(true)
    expect(result.dialect.columnNames).toEqual(['column_1', 'price'])
  })

  it('numbers duplicate names case-insensitively and trims them', () => {
    const result = preview(' id ,Name,name,ID\n1,a,b,2\n')
    expect(result.dialect.columnNames).toEqual(['id', 'Name', 'name_2', 'ID_2'])
    expect(result.rows[0]).toEqual({ id: '1', Name: 'a', name_2: 'b', ID_2: '2' })
  })

  it('names blank header cells after their position', () => {
    const head = utf8('id,,name,\nx,y,z,w\n')
    const dialect = withOverride(head, sniffDialect(head, whole), { header: true }, whole)
    expect(dialect.columnNames).toEqual(['id', 'column_2', 'name', 'column_4'])
  })

  it('uses the header count for ragged files', () => {
    expect(preview('a,b,c\n1,2\n3,4\n5,6\n').dialect.columnNames).toEqual(['a', 'b', 'c'])
  })
})

describe('problems', () => {
  it('reports rows with too few or too many fields by line, and still returns them', () => {
    const result = preview('a,b,c\n1,2,3\n4,5\n6,7,8,9\n')
    expect(result.problems).toEqual([
      { line: 3, message: 'Line 3 has 2 fields; the header has 3' },
      { line: 4, message: 'Line 4 has 4 fields; the header has 3' },
    ])
    expect(result.rows).toEqual([
      { a: '1', b: '2', c: '3' },
      { a: '4', b: '5', c: null },
      { a: '6', b: '7', c: '8' },
    ])
  })

  it('counts physical lines across empty lines and CRLF inside quotes', () => {
    const result = preview('a,b\r\n\r\n1,"x\r\ny"\r\n3\r\n')
    expect(result.problems).toEqual([{ line: 5, message: 'Line 5 has 1 fields; the header has 2' }])
  })

  it('caps problems at 100', () => {
    const result = preview(`a,b\n${'1\n'.repeat(150)}`, { limit: 1000 })
    expect(result.problems).toHaveLength(100)
    expect(result.rows).toHaveLength(150)
  })

  it('reports an unterminated quote with its line and keeps the rows before it', () => {
    const result = preview('a,b\n1,2\n3,"oops\n4,5\n')
    expect(result.rows).toEqual([{ a: '1', b: '2' }])
    expect(result.problems).toHaveLength(1)
    expect(result.problems[0]?.line).toBe(3)
    expect(result.problems[0]?.message).toMatch(/^Unterminated quoted field starting on line 3; /)
  })

  it('drops a record cut inside a quoted field at the end of a truncated head without a problem', () => {
    const result = preview('a,b\n1,2\n3,"hello wor', { truncated: true })
    expect(result.rows).toEqual([{ a: '1', b: '2' }])
    expect(result.problems).toEqual([])
    expect(result.truncated).toBe(true)
  })

  it('drops an unquoted last record of a truncated head, which may be cut', () => {
    const result = preview('a,b\n1,2\n3,4', { truncated: true })
    expect(result.rows).toEqual([{ a: '1', b: '2' }])
    expect(result.problems).toEqual([])
  })

  it('keeps the last record of a whole file without a final line break', () => {
    expect(preview('a,b\n1,2\n3,4').rows).toHaveLength(2)
  })

  it('reports a quote left open over most of a truncated head', () => {
    const result = preview(`a,b\n1,2\n3,"oops\n${'4,5\n'.repeat(40_000)}`, { truncated: true })
    expect(result.rows).toHaveLength(1)
    expect(result.problems[0]?.line).toBe(3)
  })
})

describe('rows and limit', () => {
  it('returns at most limit rows', () => {
    const result = preview(`n\n${Array.from({ length: 30 }, (_, i) => `${i + 1}\n`).join('')}`, { limit: 10 })
    expect(result.rows).toHaveLength(10)
    expect(result.rows[9]).toEqual({ n: '10' })
    expect(result.truncated).toBe(false)
  })

  it('infers types from every row in the head, not only the ones shown', () => {
    const rows = Array.from({ length: 30 }, (_, i) => (i === 25 ? 'n/a' : String(i)))
    const result = preview(`n\n${rows.join('\n')}\n`, { limit: 5 })
    expect(result.columns).toEqual([{ name: 'n', type: 'string' }])
  })

  it('clamps the limit to 1..1000', () => {
    const text = `n\n${'1\n'.repeat(1200)}`
    expect(preview(text, { limit: 0 }).rows).toHaveLength(1)
    expect(preview(text, { limit: 5000 }).rows).toHaveLength(1000)
  })

  it('makes empty cells null, quoted or not', () => {
    const result = preview('a,b,c\n1,,3\n,"",x\n')
    expect(result.rows).toEqual([
      { a: '1', b: null, c: '3' },
      { a: null, b: null, c: 'x' },
    ])
    expect(result.columns.find((c) => c.name === 'b')?.type).toBe('string')
  })

  it('reads an empty file as no columns and no rows', () => {
    const result = preview('')
    expect(result.dialect.columnNames).toEqual([])
    expect(result.rows).toEqual([])
  })
})

describe('types', () => {
  const typeOf = (values: string[]) => preview(`v\n${values.join('\n')}\n`).columns[0]?.type

  it('keeps zip codes with leading zeros as string', () => {
    expect(typeOf(['01234', '12345'])).toBe('string')
  })

  it('reads int64 values as bigint and larger integers as exact decimals (no silent rounding)', () => {
    expect(typeOf(['9223372036854775807', '-9223372036854775808', '0', '+7'])).toBe('bigint')
    expect(typeOf(['1', '9223372036854775808'])).toBe('decimal(19,0)')
    expect(typeOf(['1'.repeat(39)])).toBe('double')
  })

  it('reads numbers written out in full as exact decimals, widening bigint', () => {
    expect(typeOf(['19.99', '5', '-1234.5'])).toBe('decimal(6,2)')
    expect(typeOf(['.5', '0.25'])).toBe('decimal(3,2)')
    expect(typeOf(['12345', '0.125'])).toBe('decimal(8,3)')
  })

  it('reads numbers with an exponent as double, widening the rest', () => {
    expect(typeOf(['1.5', '-2e10', '.5', '3'])).toBe('double')
    expect(typeOf(['1.5', 'abc'])).toBe('string')
  })

  it('reads the words DuckDB reads as booleans (true/false, t/f, yes/no) in any case as boolean', () => {
    expect(typeOf(['true', 'FALSE', 'True'])).toBe('boolean')
    expect(typeOf(['yes', 'No', 't', 'F'])).toBe('boolean')
    expect(typeOf(['true', 'maybe'])).toBe('string')
    expect(typeOf(['1', '0'])).toBe('bigint')
  })

  it('reads valid YYYY-MM-DD as date and rejects impossible days', () => {
    expect(typeOf(['2024-02-29', '1999-12-31'])).toBe('date')
    expect(typeOf(['2023-02-29'])).toBe('string')
  })

  it('reads timestamps with optional fraction and zone', () => {
    expect(typeOf(['2024-01-02 03:04:05', '2024-01-02T03:04:05.123Z', '2024-01-02T03:04:05+02:00'])).toBe('timestamp')
    expect(typeOf(['2024-01-02 25:00:00'])).toBe('string')
  })

  it('does not mix dates and timestamps', () => {
    expect(typeOf(['2024-01-02', '2024-01-02 03:04:05'])).toBe('string')
  })
})

describe('withOverride', () => {
  it('with header=false names columns column_1..n and returns the first row as data', () => {
    const head = utf8('name,age\nAnn,31\n')
    const dialect = withOverride(head, sniffDialect(head, whole), { header: false }, whole)
    expect(dialect.header).toBe(false)
    expect(dialect.columnNames).toEqual(['column_1', 'column_2'])
    const result = previewRows(head, dialect, 10, whole)
    expect(result.rows).toEqual([
      { column_1: 'name', column_2: 'age' },
      { column_1: 'Ann', column_2: '31' },
    ])
  })

  it('recomputes column names for a new delimiter', () => {
    const head = utf8('a;b\n1;2\n')
    const dialect = withOverride(head, sniffDialect(head, whole), { delimiter: ',' }, whole)
    expect(dialect.columnNames).toEqual(['a;b'])
  })

  it('recomputes column names for a new encoding', () => {
    const head = utf8('Café,n\nx,1\n')
    const dialect = withOverride(head, sniffDialect(head, whole), { encoding: 'windows-1252' }, whole)
    expect(dialect.encoding).toBe('windows-1252')
    expect(dialect.columnNames[0]).toBe('CafÃ©')
  })

  it('lets a doubled-quote escape follow a new quote character', () => {
    const head = utf8("id,said\n1,'it''s, fine'\n")
    const dialect = withOverride(head, sniffDialect(head, whole), { quote: "'" }, whole)
    expect(dialect).toMatchObject({ quote: "'", escape: "'" })
    expect(previewRows(head, dialect, 10, whole).rows).toEqual([{ id: '1', said: "it's, fine" }])
  })

  it('refuses an unknown encoding with BAD_REQUEST', () => {
    const head = utf8('a\n1\n')
    expect(() => withOverride(head, sniffDialect(head, whole), { encoding: 'klingon-8' }, whole)).toThrow(
      expect.objectContaining({ code: 'BAD_REQUEST' }),
    )
    expect(() => withOverride(head, sniffDialect(head, whole), { encoding: 'klingon-8' }, whole)).toThrow(AppError)
  })

  it('is applied by sniffAndPreview', () => {
    const result = sniffAndPreview(utf8('1,2\n3,4\n'), { ...whole, limit: 10, override: { header: true } })
    expect(result.dialect.columnNames).toEqual(['1', '2'])
    expect(result.rows).toEqual([{ 1: '3', 2: '4' }])
  })
})
