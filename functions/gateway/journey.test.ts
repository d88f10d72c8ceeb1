import { gzipSync } from 'node:zlib'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { postJson, startTestServer, upload, waitForJob, type TestServer } from '../testing/test-server.ts'

let server: TestServer
beforeAll(async () => {
  server = await startTestServer()
})
afterAll(() => server.close())

const MESSY = [
  '\uFEFFid;name;city;joined;score;active;note',
  '1;Ada Lovelace;London;2024-01-05;12.5;true;"first; and ""quoted"""',
  '2;Grace Hopper;New York;2024-02-10;;false;"two',
  'lines"',
  '3;Zoë Ångström;Malmö;2024-03-15;7.25;true;',
].join('\r\n') + '\r\n'

async function submitAndWait(body: Record<string, unknown>) {
  const res = await postJson(server.url, '/api/submit', body)
  expect(res.status).toBe(202)
  const submitted = await res.json()
  return waitForJob(server.url, submitted.jobId)
}

async function sql(query: string) {
  const res = await postJson(server.url, '/api/query', { sql: query, waitMs: 10_000 })
  return { status: res.status, body: await res.json() }
}

describe('upload -> preview -> submit -> job -> query', () => {
  it('loads a messy CSV (BOM, semicolons, CRLF, quoted newlines, blanks) into a typed table that answers SQL', async () => {
    const up = await upload(server.url, 'City People.csv', MESSY)
    expect(up.status).toBe(201)
    const { fileId } = await up.json()

    const preview = await (await fetch(`${server.url}/api/preview?fileId=${fileId}`)).json()
    expect(preview.dialect).toMatchObject({ delimiter: ';', header: true, bom: true, lineEnding: '\r\n' })
    expect(preview.columns.map((c: { name: string }) => c.name)).toEqual(['id', 'name', 'city', 'joined', 'score', 'active', 'note'])
    expect(preview.rows).toHaveLength(3)
    expect(preview.rows[1]).toMatchObject({ name: 'Grace Hopper', score: null, note: 'two\r\nlines' })
    expect(preview.multilineFields).toBe(true)

    const submitted = await postJson(server.url, '/api/submit', { fileId })
    expect(submitted.status).toBe(202)
    const { jobId, table, status } = await submitted.json()
    expect(table).toBe('city_people')
    expect(status).toBe('RUNNING')

    const job = await waitForJob(server.url, jobId)
    expect(job.status).toBe('SUCCEEDED')
    const steps = (job.steps as { name: string; status: string }[]).map((s) => [s.name, s.status])
    expect(steps).toEqual(
      expect.arrayContaining([
        ['StageFile', 'SUCCEEDED'],
        ['StartCrawler', 'SUCCEEDED'],
        ['GetCrawler', 'SUCCEEDED'],
        ['IsCrawlerReady', 'SUCCEEDED'],
        ['CheckLastCrawl', 'SUCCEEDED'],
        ['ConvertToParquet', 'SUCCEEDED'],
        ['RegisterTable', 'SUCCEEDED'],
        ['IngestSucceeded', 'SUCCEEDED'],
      ]),
    )
    expect(job.table).toEqual({
      name: 'city_people',
      rowCount: 3,
      columns: [
        { name: 'id', type: 'bigint' },
        { name: 'name', type: 'string' },
        { name: 'city', type: 'string' },
        { name: 'joined', type: 'date' },
        { name: 'score', type: 'decimal(4,2)' },
        { name: 'active', type: 'boolean' },
        { name: 'note', type: 'string' },
      ],
    })
    expect(job.rows).toMatchObject({ read: 3, loaded: 3, rejected: 0 })
    // One dialect from preview to table: the table has the columns and types the preview showed.
    expect((job.table as { columns: unknown }).columns).toEqual(preview.columns)

    const { status: qs, body } = await sql('SELECT id, name, joined, score, active, note FROM city_people ORDER BY id')
    expect(qs).toBe(200)
    expect(body.status).toBe('SUCCEEDED')
    expect(body.rowCount).toBe(3)
    expect(body.rows).toEqual([
      [1, 'Ada Lovelace', '2024-01-05', '12.50', true, 'first; and "quoted"'],
      [2, 'Grace Hopper', '2024-02-10', null, false, 'two\r\nlines'],
      [3, 'Zoë Ångström', '2024-03-15', '7.25', true, null],
    ])
    const count = await sql('SELECT count(*) AS n, sum(score) AS total FROM city_people')
    // Decimals are exact, and answered as strings so no digit is lost in JSON.
    expect(count.body.rows).toEqual([[3, '19.75']])

    const tables = await (await fetch(`${server.url}/api/tables`)).json()
    const entry = tables.tables.find((t: { name: string }) => t.name === 'city_people')
    expect(entry).toMatchObject({ rowCount: 3, format: 'parquet', sources: [{ fileId, fileName: 'City People.csv', rows: 3 }] })
  })

  it('loads a Latin-1 file with tab delimiters as the preview showed it', async () => {
    const latin1 = Buffer.from('ville\tpays\nZürich\tSuisse\nSão Paulo\tBrésil\n', 'latin1')
    const { fileId } = await (await upload(server.url, 'villes.tsv', latin1)).json()
    const preview = await (await fetch(`${server.url}/api/preview?fileId=${fileId}`)).json()
    expect(preview.dialect).toMatchObject({ delimiter: '\t', encoding: 'windows-1252' })
    expect(preview.rows[0]).toEqual({ ville: 'Zürich', pays: 'Suisse' })
    const job = await submitAndWait({ fileId })
    expect(job.status).toBe('SUCCEEDED')
    expect((await sql('SELECT ville FROM villes ORDER BY ville')).body.rows).toEqual([['São Paulo'], ['Zürich']])
  })

  it('loads a gzip-compressed CSV and a UTF-16 file with a BOM', async () => {
    const gz = gzipSync('code,qty\nA1,3\nB2,4\n')
    const zipped = await (await upload(server.url, 'orders.csv.gz', gz)).json()
    expect((await submitAndWait({ fileId: zipped.fileId })).status).toBe('SUCCEEDED')
    expect((await sql('SELECT sum(qty) FROM orders')).body.rows).toEqual([[7]])

    const utf16 = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from('name,city\nJosé,São Paulo\n', 'utf16le')])
    const wide = await (await upload(server.url, 'wide.csv', utf16)).json()
    expect(wide.dialect).toMatchObject({ encoding: 'utf-16le', bom: true })
    expect((await submitAndWait({ fileId: wide.fileId })).status).toBe('SUCCEEDED')
    expect((await sql('SELECT name, city FROM wide')).body.rows).toEqual([['José', 'São Paulo']])
  })

  it('keeps the first row as data when submitted with header false', async () => {
    const { fileId } = await (await upload(server.url, 'pairs.csv', 'alpha,beta\ngamma,delta\n')).json()
    const job = await submitAndWait({ fileId, table: 'pairs', dialect: { header: false } })
    expect(job.status).toBe('SUCCEEDED')
    expect((job.table as { columns: unknown }).columns).toEqual([
      { name: 'column_1', type: 'string' },
      { name: 'column_2', type: 'string' },
    ])
    expect((await sql('SELECT count(*) FROM pairs')).body.rows).toEqual([[2]])
  })
})

describe('create, append and replace', () => {
  it('refuses to create a table that exists, appends with the same schema, and replaces', async () => {
    const csv = 'sku,qty\nA,1\nB,2\n'
    const first = await (await upload(server.url, 'stock.csv', csv)).json()
    expect((await submitAndWait({ fileId: first.fileId })).status).toBe('SUCCEEDED')

    const again = await postJson(server.url, '/api/submit', { fileId: first.fileId })
    expect(again.status).toBe(409)
    expect((await again.json()).error).toMatchObject({ code: 'TABLE_EXISTS', message: expect.stringMatching(/append.*replace/) })

    const second = await (await upload(server.url, 'more.csv', 'sku,qty\nC,3\n')).json()
    const appended = await submitAndWait({ fileId: second.fileId, table: 'stock', mode: 'append' })
    expect(appended.status).toBe('SUCCEEDED')
    expect((appended.table as { rowCount: number }).rowCount).toBe(3)
    expect((await sql('SELECT count(*), sum(qty) FROM stock')).body.rows).toEqual([[3, 6]])

    const other = await (await upload(server.url, 'other.csv', 'sku,price,qty\nD,9.5,4\n')).json()
    const drift = await postJson(server.url, '/api/submit', { fileId: other.fileId, table: 'stock', mode: 'append' })
    expect(drift.status).toBe(409)
    expect((await drift.json()).error).toMatchObject({ code: 'SCHEMA_MISMATCH', message: expect.stringMatching(/price/) })

    const replaced = await submitAndWait({ fileId: other.fileId, table: 'stock', mode: 'replace' })
    expect(replaced.status).toBe('SUCCEEDED')
    expect((await sql('SELECT * FROM stock')).body.rows).toEqual([['D', '9.5', 4]])
    const tables = await (await fetch(`${server.url}/api/tables`)).json()
    expect(tables.tables.find((t: { name: string }) => t.name === 'stock').rowCount).toBe(1)
  })

  it('fails an append whose types do not fit, naming the column, and leaves the table as it was', async () => {
    const base = await (await upload(server.url, 'typed.csv', 'k,v\n1,10\n')).json()
    expect((await submitAndWait({ fileId: base.fileId })).status).toBe('SUCCEEDED')
    const bad = await (await upload(server.url, 'typed2.csv', 'k,v\n2,hello\n')).json()
    const job = await submitAndWait({ fileId: bad.fileId, table: 'typed', mode: 'append' })
    expect(job.status).toBe('FAILED')
    expect((job.error as { code: string; message: string })).toMatchObject({ code: 'SCHEMA_MISMATCH', message: expect.stringMatching(/column v is bigint.*string/) })
    expect((await sql('SELECT * FROM typed')).body.rows).toEqual([[1, 10]])
  })

  it('appends a month whose amounts have fewer digits to a decimal column, keeping the table\'s type', async () => {
    const base = await (await upload(server.url, 'sales.csv', 'day,amount\n2024-01-01,1234.56\n')).json()
    expect((await submitAndWait({ fileId: base.fileId })).status).toBe('SUCCEEDED')
    const next = await (await upload(server.url, 'sales-feb.csv', 'day,amount\n2024-02-01,99.5\n2024-02-02,10.25\n')).json()
    const job = await submitAndWait({ fileId: next.fileId, table: 'sales', mode: 'append' })
    expect(job.status).toBe('SUCCEEDED')
    const result = await sql('SELECT sum(amount) AS total, count(*) AS n FROM sales')
    expect(result.body.rows).toEqual([['1344.31', 3]])
    // A month of whole amounts loads into the decimal column too; one that does not fit fails on its line.
    const whole = await (await upload(server.url, 'sales-mar.csv', 'day,amount\n2024-03-01,100\n2024-03-02,7\n')).json()
    expect((await submitAndWait({ fileId: whole.fileId, table: 'sales', mode: 'append' })).status).toBe('SUCCEEDED')
    expect((await sql('SELECT sum(amount) AS total, count(*) AS n FROM sales')).body.rows).toEqual([['1451.31', 5]])
    const huge = await (await upload(server.url, 'sales-apr.csv', 'day,amount\n2024-04-01,5\n2024-04-02,123456\n')).json()
    const refused = await submitAndWait({ fileId: huge.fileId, table: 'sales', mode: 'append' })
    expect(refused.status).toBe('FAILED')
    expect(refused.error).toMatchObject({ code: 'ROW_REJECTED', line: 3, value: '123456' })
    expect((await sql('SELECT count(*) AS n FROM sales')).body.rows).toEqual([[5]])
    const tables = await (await fetch(`${server.url}/api/tables`)).json()
    expect(tables.tables.find((t: { name: string }) => t.name === 'sales').columns).toEqual([
      { name: 'day', type: 'date' },
      { name: 'amount', type: 'decimal(6,2)' },
    ])
  })

  it('answers 404 for append to a table that does not exist, and 400 for a bad table name', async () => {
    const f = await (await upload(server.url, 'x.csv', 'a\n1\n')).json()
    expect((await postJson(server.url, '/api/submit', { fileId: f.fileId, table: 'nope', mode: 'append' })).status).toBe(404)
    const bad = await postJson(server.url, '/api/submit', { fileId: f.fileId, table: 'Robert; DROP TABLE' })
    expect(bad.status).toBe(400)
    expect((await bad.json()).error.message).toMatch(/lower-case/)
  })
})

describe('types from every row of a big file', () => {
  it('widens a column when a value far past the crawler sample does not fit, instead of failing or rounding', async () => {
    // Over 8 MiB, so the crawler classifies from a sample and the conversion checks every row.
    const rows = Array.from({ length: 150_000 }, (_, i) => `${i},${i % 97},${(i % 1000) / 100},${'x'.repeat(40)}`)
    rows.push('150000,not a number,1.239,last')
    const { fileId } = await (await upload(server.url, 'late.csv', `id,code,price,pad\n${rows.join('\n')}\n`)).json()
    const job = await submitAndWait({ fileId })
    expect(job.status).toBe('SUCCEEDED')
    expect((job.table as { columns: unknown }).columns).toEqual([
      { name: 'id', type: 'bigint' },
      { name: 'code', type: 'string' },
      { name: 'price', type: 'decimal(4,3)' },
      { name: 'pad', type: 'string' },
    ])
    expect(job.rows).toMatchObject({ read: 150_001, loaded: 150_001, rejected: 0 })
    expect((await sql("SELECT code, price FROM late WHERE id = 150000")).body.rows).toEqual([['not a number', '1.239']])
  })
})

describe('no silent row loss', () => {
  const RAGGED = 'id,name\n1,a\n2,b,extra\n3,c\n'

  it('fails the job with the line of a ragged row, and creates no table', async () => {
    const { fileId } = await (await upload(server.url, 'ragged.csv', RAGGED)).json()
    const preview = await (await fetch(`${server.url}/api/preview?fileId=${fileId}`)).json()
    expect(preview.problems).toEqual([{ line: 3, message: expect.stringMatching(/3 fields/) }])
    const job = await submitAndWait({ fileId })
    expect(job.status).toBe('FAILED')
    expect(job.error).toMatchObject({ code: 'ROW_REJECTED', line: 3, message: expect.stringMatching(/Line 3/) })
    const failedStep = (job.steps as { name: string; status: string }[]).find((s) => s.name === 'ConvertToParquet')
    expect(failedStep?.status).toBe('CAUGHT')
    const tables = await (await fetch(`${server.url}/api/tables`)).json()
    expect(tables.tables.map((t: { name: string }) => t.name)).not.toContain('ragged')
  })

  it('with onError skip, loads the good rows and lists the rejected one; count(*) matches the job', async () => {
    const { fileId } = await (await upload(server.url, 'ragged2.csv', RAGGED)).json()
    const job = await submitAndWait({ fileId, onError: 'skip' })
    expect(job.status).toBe('SUCCEEDED')
    expect(job.rows).toMatchObject({ read: 3, loaded: 2, rejected: 1, rejectedRows: [{ line: 3 }] })
    expect((await sql('SELECT count(*) FROM ragged2')).body.rows).toEqual([[2]])
  })

  it('keeps only the start of a rejected row that is 300 KB long, so a job record stays small (Step Functions state is 256 KiB at most)', async () => {
    const long = 'x'.repeat(300_000)
    const { fileId } = await (await upload(server.url, 'longreject.csv', `a,b\n1,x\n2,y,${long}\n3,z\n`)).json()
    const job = await submitAndWait({ fileId, onError: 'skip' })
    expect(job.status).toBe('SUCCEEDED')
    expect(job.rows).toMatchObject({ loaded: 2, rejected: 1, rejectedRows: [{ line: 3 }] })
    const value = (job.rows as { rejectedRows: { value: string }[] }).rejectedRows[0]!.value
    expect(value.length).toBeLessThan(300)
    expect(value).toMatch(/characters in all\)$/)
    expect(JSON.stringify(job).length).toBeLessThan(20_000)
  })

  it('fails with the line of an unterminated quote', async () => {
    const { fileId } = await (await upload(server.url, 'quote.csv', 'a,b\n1,"ok"\n2,"never closed\n3,x\n')).json()
    const job = await submitAndWait({ fileId })
    expect(job.status).toBe('FAILED')
    expect((job.error as { message: string }).message).toMatch(/Line|quote/i)
  })
})

describe('job-status', () => {
  it('answers 404 for an unknown job and 400 for a malformed id', async () => {
    expect((await fetch(`${server.url}/api/job-status?jobId=j_${'0'.repeat(32)}`)).status).toBe(404)
    const bad = await fetch(`${server.url}/api/job-status?jobId=../../etc/passwd`)
    expect(bad.status).toBe(400)
    expect((await bad.json()).error).toMatchObject({ code: 'BAD_REQUEST', field: 'jobId' })
  })
})
