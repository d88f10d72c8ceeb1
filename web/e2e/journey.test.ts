import { readFile } from 'node:fs/promises'
import { parse } from 'csv-parse/sync'
import type { Browser, Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { parquetBytes } from '../../functions/core/adapters/local/parquet-fixture.ts'
import { launchBrowser, newPage, screenshot, startApp } from './harness.ts'

// A new user's whole journey in real Chromium, against the app as `npm start` serves it:
// upload -> preview -> submit -> job succeeded -> query (Ctrl+Enter) -> page -> export; then the
// ways it can go wrong: a refused upload, an SQL error, a long query cancelled.

const ROWS = 2500
/** A CSV with a BOM, quoted commas and quoted newlines, a blank decimal, and enough rows to page. */
function cityPeopleCsv(): string {
  const lines = ['id,name,city,amount,joined']
  for (let i = 1; i <= ROWS; i++) {
    const name = i % 50 === 0 ? `"Line one\nline two ${i}"` : i % 7 === 0 ? `"Smith, ${i}"` : `Person ${i}`
    const amount = i % 11 === 0 ? '' : (i * 1.25).toFixed(2)
    lines.push(`${i},${name},${['Oslo', 'Paris', 'Lima'][i % 3]},${amount},2024-01-${String((i % 28) + 1).padStart(2, '0')}`)
  }
  return '\ufeff' + lines.join('\n') + '\n'
}

let app: Awaited<ReturnType<typeof startApp>>
let browser: Browser
let page: Page

beforeAll(async () => {
  app = await startApp()
  browser = await launchBrowser()
  page = await newPage(browser)
})
afterAll(async () => {
  await browser?.close()
  await app?.close()
})

const editor = (p: Page) => p.locator('.cm-content')

async function typeSql(p: Page, sql: string) {
  await editor(p).click()
  await p.keyboard.press('ControlOrMeta+a')
  await p.keyboard.press('Backspace')
  await editor(p).pressSequentially(sql)
  // Autocomplete may be open after the last word; Escape closes it without taking a suggestion.
  await p.keyboard.press('Escape')
}

describe('a new user in Chromium', () => {
  it('uploads a CSV, checks its rows, loads it, watches the job, queries, pages and exports the result', async () => {
    await page.goto(`${app.url}/`)
    await expect.poll(() => page.getByText('No files yet').isVisible()).toBe(true)
    await screenshot(page, '01-empty')

    await page.setInputFiles('[data-testid=file-input]', { name: 'City People.csv', mimeType: 'text/csv', buffer: Buffer.from(cityPeopleCsv()) })
    const previewLink = page.getByRole('link', { name: 'Preview and submit' })
    await previewLink.waitFor()
    await expect.poll(() => page.getByRole('table', { name: 'Uploaded files' }).getByText('City People.csv').isVisible()).toBe(true)
    await screenshot(page, '02-uploaded')

    await previewLink.click()
    const rows = page.getByRole('region', { name: 'Preview rows' }).or(page.getByLabel('Preview rows'))
    await rows.getByText('Smith, 7', { exact: true }).waitFor()
    const header = await page.locator('thead th').allInnerTexts()
    expect(header.slice(1).map((h) => h.replace(/\s+/g, ' ').trim())).toEqual(['id bigint', 'name string', 'city string', 'amount decimal(6,2)', 'joined date'])
    expect(await page.getByLabel('Detected format').innerText()).toContain('utf-8 (BOM)')
    expect(await page.locator('tbody tr').count()).toBe(100)
    // The quoted newline stayed inside one value, and a blank amount is NULL.
    expect(await rows.getByText('Line one ⏎ line two 50').count()).toBe(1)
    expect(await page.locator('tbody tr').nth(10).innerText()).toContain('NULL')
    await expect.poll(() => page.getByLabel('Table name').inputValue()).toBe('city_people')
    await screenshot(page, '03-preview')

    await page.getByRole('button', { name: 'Load into city_people' }).click()
    await page.waitForURL(/\/jobs\/\?id=j_/)
    await expect.poll(() => page.getByTestId('job-status').innerText(), { timeout: 30_000 }).toBe('Succeeded')
    expect(await page.getByText(`${ROWS.toLocaleString('en-US')} rows loaded`).count()).toBe(1)
    const steps = page.getByRole('list', { name: 'Workflow steps' }).locator('li')
    // The first state chooses the CSV branch; staging is the first work it does.
    expect(await steps.first().getAttribute('data-step')).toBe('ChooseFormat')
    expect(await steps.nth(1).getAttribute('data-step')).toBe('StageFile')
    expect(await steps.last().getAttribute('data-step')).toBe('IngestSucceeded')
    expect(await page.locator('li[data-status=SUCCEEDED]').count()).toBe(await steps.count())
    await screenshot(page, '04-job-succeeded')

    // The Jobs page lists it, with how it went.
    await page.getByRole('link', { name: 'All jobs' }).click()
    const jobRow = page.getByRole('table', { name: 'Jobs' }).getByRole('row', { name: /City People\.csv/ })
    await jobRow.waitFor()
    expect(await jobRow.innerText()).toMatch(/city_people\s+Succeeded\s+2,500/)
    await page.goBack()

    await page.getByRole('link', { name: 'Query city_people' }).click()
    await page.waitForURL(/\/query\/\?table=city_people/)
    // The table's first rows are shown at once, and the schema browser lists its columns.
    await page.getByTestId('query-summary').waitFor()
    expect(await page.getByRole('list', { name: 'Tables and columns' }).innerText()).toContain('amount')

    await typeSql(page, 'SELECT id, name, city, amount\nFROM city_people\nORDER BY id')
    await page.keyboard.press('ControlOrMeta+Enter')
    await expect.poll(() => page.getByTestId('page-range').innerText()).toBe('Rows 1–1,000 of 2,500')
    expect(await page.getByTestId('query-summary').innerText()).toMatch(/^2,500 rows · /)
    expect(await page.getByRole('gridcell').first().innerText()).toBe('1')
    await screenshot(page, '05-query-result')

    await page.getByRole('button', { name: 'Next page' }).click()
    await expect.poll(() => page.getByTestId('page-range').innerText()).toBe('Rows 1,001–2,000 of 2,500')
    expect(await page.getByRole('rowheader').first().innerText()).toBe('1001')
    await page.getByRole('button', { name: 'Next page' }).click()
    await expect.poll(() => page.getByTestId('page-range').innerText()).toBe('Rows 2,001–2,500 of 2,500')
    expect(await page.getByRole('button', { name: 'Next page' }).isDisabled()).toBe(true)
    await page.getByRole('button', { name: 'Previous page' }).click()
    await expect.poll(() => page.getByTestId('page-range').innerText()).toBe('Rows 1,001–2,000 of 2,500')
    expect(await page.getByRole('button', { name: 'Next page' }).isEnabled()).toBe(true)
    await screenshot(page, '06-query-paged')

    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Export CSV' }).click()])
    const exported = parse(await readFile((await download.path())!, 'utf8'), { columns: true }) as Record<string, string>[]
    expect(exported).toHaveLength(ROWS)
    expect(exported[0]).toEqual({ id: '1', name: 'Person 1', city: 'Paris', amount: '1.25' })
    expect(exported[49]!.name).toBe('Line one\nline two 50')
    expect(exported[10]!.amount).toBe('')

    // The query is in the history, and picking it puts it back in the editor.
    await page.getByRole('tab', { name: 'History' }).click()
    expect(await page.getByRole('list', { name: 'Query history' }).innerText()).toContain('ORDER BY id')
  })

  // Column profiles (issue 15): the table's page, reached from the tables list, and the schema browser.
  it("shows a table's column profiles on its page and in the query page's schema browser", async () => {
    await page.goto(`${app.url}/`)
    await page.getByRole('table', { name: 'Tables' }).getByRole('link', { name: 'city_people' }).click()
    await page.waitForURL(/\/tables\/\?name=city_people/)
    const columns = page.getByRole('table', { name: 'Columns of city_people' })
    await columns.waitFor()
    expect(await page.getByRole('heading', { name: 'city_people' }).isVisible()).toBe(true)
    // Every 11th amount is blank: 227 nulls; the other 2,273 all differ (counted exactly: a small load).
    const amount = columns.locator('tr[data-column="amount"]')
    const cells = await amount.locator('td').allInnerTexts()
    expect([cells[0], cells[1]!.toLowerCase(), cells[2], cells[3], cells[4], cells[5]]).toEqual(['amount', 'decimal(6,2)', '227 (9.1%)', '2,273', '1.25', '3,125'])
    expect(await amount.getByRole('img', { name: 'Histogram of amount: 20 bins' }).isVisible()).toBe(true)
    const cities = columns.locator('tr[data-column="city"]').getByRole('list', { name: 'Most frequent values of city' })
    expect((await cities.getByRole('listitem').allInnerTexts()).map((t) => t.replace(/\s+/g, ' ').trim()).sort()).toEqual(['Lima 833', 'Oslo 833', 'Paris 834'])
    expect(await columns.locator('tr[data-column="joined"]').getByRole('img', { name: /Histogram of joined/ }).isVisible()).toBe(true)
    await screenshot(page, '07-table-profile')

    await page.goto(`${app.url}/query/`)
    const browserList = page.getByRole('list', { name: 'Tables and columns' })
    const toggle = browserList.getByRole('button', { name: 'Show the columns of city_people' })
    if (await toggle.isVisible()) await toggle.click()
    const amountInBrowser = browserList.locator('li[data-column="amount"]')
    await expect.poll(() => amountInBrowser.innerText()).toMatch(/227 \(9\.1%\) null · 2,273 distinct/)
    expect(await amountInBrowser.getByRole('img', { name: 'Histogram of amount: 20 bins' }).isVisible()).toBe(true)
    expect(await browserList.locator('li[data-column="city"]').getByRole('img', { name: /Most frequent values of city/ }).isVisible()).toBe(true)
    await screenshot(page, '08-schema-browser-profile')

    await page.goto(`${app.url}/tables/?name=no_such_table`)
    await expect.poll(() => page.getByText('No table named no_such_table').isVisible()).toBe(true)
  })

  it('shows why an upload is refused, by the browser before sending or by the server after', async () => {
    await page.goto(`${app.url}/`)
    await page.setInputFiles('[data-testid=file-input]', [
      { name: 'slides.pdf', mimeType: 'application/pdf', buffer: Buffer.from('%PDF-1.7 not a table') },
      { name: 'sneaky.csv', mimeType: 'text/csv', buffer: Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13, 0x49, 0x48, 0x44, 0x52]) },
    ])
    const uploads = page.getByRole('list', { name: 'Uploads' })
    await expect.poll(() => uploads.locator('li[data-state=failed]').count()).toBe(2)
    expect(await uploads.getByRole('listitem', { name: 'slides.pdf' }).innerText()).toContain('Not a CSV file')
    // The server's own reason for the PNG dressed up as a CSV.
    expect(await uploads.getByRole('listitem', { name: 'sneaky.csv' }).getByRole('alert').innerText()).toMatch(/binary|not.*text|CSV/i)
    expect(await page.getByRole('table', { name: 'Uploaded files' }).getByText('sneaky.csv').count()).toBe(0)
    await screenshot(page, '07-upload-refused')
  })

  it('lets the user correct a header row the detection missed, and loads the file with it', async () => {
    await page.goto(`${app.url}/`)
    // Years as column names look like data: the detection says "no header".
    await page.setInputFiles('[data-testid=file-input]', { name: 'yearly.csv', mimeType: 'text/csv', buffer: Buffer.from('2023,2024\n10,20\n30,40\n') })
    await page.getByRole('listitem', { name: 'yearly.csv' }).getByRole('link', { name: 'Preview and submit' }).click()
    await expect.poll(() => page.getByRole('combobox', { name: 'Header row' }).innerText()).toBe('No header row')
    expect(await page.locator('tbody tr').count()).toBe(3)

    await page.getByRole('combobox', { name: 'Header row' }).click()
    await page.getByRole('option', { name: 'First row is the header' }).click()
    await expect.poll(() => page.locator('tbody tr').count()).toBe(2)
    const header = await page.locator('thead th').allInnerTexts()
    expect(header.slice(1).map((h) => h.replace(/\s+/g, ' ').trim())).toEqual(['2023 bigint', '2024 bigint'])
    await screenshot(page, '10-header-corrected')

    await page.getByRole('button', { name: 'Load into yearly' }).click()
    await expect.poll(() => page.getByTestId('job-status').innerText(), { timeout: 30_000 }).toBe('Succeeded')
    const tables = await (await fetch(`${app.url}/api/tables`)).json()
    const yearly = tables.tables.find((t: { name: string }) => t.name === 'yearly')
    expect(yearly.columns.map((c: { name: string }) => c.name)).toEqual(['2023', '2024'])
    expect(yearly.rowCount).toBe(2)

    // A next year's file with other columns: appending it says, before loading, why it does not fit.
    await page.goto(`${app.url}/`)
    await page.setInputFiles('[data-testid=file-input]', { name: 'yearly next.csv', mimeType: 'text/csv', buffer: Buffer.from('2024,2025\n20,30\n') })
    await page.getByRole('listitem', { name: 'yearly next.csv' }).getByRole('link', { name: 'Preview and submit' }).click()
    await page.getByRole('combobox', { name: 'Header row' }).click()
    await page.getByRole('option', { name: 'First row is the header' }).click()
    await page.getByLabel('Table name').fill('yearly')
    await page.getByRole('radio', { name: /Append/ }).click()
    await expect
      .poll(() => page.getByTestId('append-drift').innerText())
      .toBe('From the preview, this file does not fit yearly: the file lacks column(s) 2023; the file has new column(s) 2025. Replace the table, load it as a new one, or correct the header above.')
    await screenshot(page, '10b-append-drift')

    // And drops it again from the Data page, after saying yes.
    await page.goto(`${app.url}/`)
    await page.getByRole('button', { name: 'Drop yearly' }).click()
    await page.getByRole('dialog').getByRole('button', { name: 'Drop table' }).click()
    await page.getByText('Dropped yearly').waitFor()
    await expect.poll(() => page.getByRole('table', { name: 'Tables' }).getByText('yearly').count()).toBe(0)
    expect((await (await fetch(`${app.url}/api/tables`)).json()).tables.map((t: { name: string }) => t.name)).toEqual(['city_people'])
  })

  it('shows a failed load in words, and loads it again skipping the rows that do not fit', async () => {
    await page.goto(`${app.url}/`)
    await page.setInputFiles('[data-testid=file-input]', { name: 'ragged.csv', mimeType: 'text/csv', buffer: Buffer.from('a,b\n1,2\n3,4\n5\n6,7,8\n9,10\n') })
    await page.getByRole('listitem', { name: 'ragged.csv' }).getByRole('link', { name: 'Preview and submit' }).click()
    // The preview already says which lines are wrong.
    await page.getByText('2 lines could not be read').waitFor()
    await page.getByRole('button', { name: 'Load into ragged' }).click()
    await expect.poll(() => page.getByTestId('job-status').innerText(), { timeout: 30_000 }).toBe('Failed')
    expect(await page.getByRole('alert').filter({ hasText: 'The load failed' }).innerText()).toMatch(/Line 4/)
    // The state that failed, its error caught by the workflow's Catch into the clean-up.
    expect(await page.locator('li[data-step=ConvertToParquet]').getAttribute('data-status')).toBe('CAUGHT')
    await screenshot(page, '12-job-failed')

    const failedUrl = page.url()
    await page.getByRole('button', { name: 'Load again, skipping rows that do not fit' }).click()
    await page.waitForURL((url) => url.href !== failedUrl && url.href.includes('/jobs/?id=j_'))
    await expect.poll(() => page.getByTestId('job-status').innerText(), { timeout: 30_000 }).toBe('Succeeded')
    expect(await page.getByText('3 rows loaded').count()).toBe(1)
    expect(await page.getByText(/2 rows were skipped, e\.g\. line 4/).count()).toBe(1)
  })

  it('can be used from the keyboard: the drop zone opens the file picker, and the editor lets focus go on', async () => {
    await page.goto(`${app.url}/`)
    const dropZone = page.getByRole('button', { name: /Upload CSV files/ })
    for (let i = 0; i < 12 && !(await dropZone.evaluate((el) => el === document.activeElement)); i++) await page.keyboard.press('Tab')
    expect(await dropZone.evaluate((el) => el === document.activeElement)).toBe(true)
    // Enter opens the file picker: the hidden input gets the click (kept from opening a real dialog here).
    await page.getByTestId('file-input').evaluate((input) => {
      input.addEventListener('click', (e) => {
        e.preventDefault()
        ;(window as unknown as { pickerOpened: boolean }).pickerOpened = true
      })
    })
    await page.keyboard.press('Enter')
    await expect.poll(() => page.evaluate(() => (window as unknown as { pickerOpened?: boolean }).pickerOpened === true)).toBe(true)
    expect(await page.getByTestId('file-input').getAttribute('multiple')).not.toBeNull()

    await page.goto(`${app.url}/query/`)
    await editor(page).click()
    // Tab indents inside the editor; Escape, then Tab, moves on to the next control.
    await page.keyboard.press('Escape')
    await page.keyboard.press('Tab')
    expect(await page.evaluate(() => document.activeElement?.closest('.cm-editor') === null)).toBe(true)
  })

  it('follows the system\'s dark theme, and fits a smaller laptop screen', async () => {
    const dark = await newPage(browser, { colorScheme: 'dark', viewport: { width: 1024, height: 640 } })
    await dark.goto(`${app.url}/query/?table=city_people`)
    await dark.getByTestId('query-summary').waitFor()
    const background = await dark.evaluate(() => getComputedStyle(document.body).backgroundColor)
    const light = await page.evaluate(() => getComputedStyle(document.body).backgroundColor)
    expect(background).not.toBe(light)
    // Dark: every channel of the page's background is low.
    const channels = (await dark.evaluate(() => {
      const c = document.createElement('canvas').getContext('2d')!
      c.fillStyle = getComputedStyle(document.body).backgroundColor
      c.fillRect(0, 0, 1, 1)
      return [...c.getImageData(0, 0, 1, 1).data].slice(0, 3)
    })) as number[]
    expect(Math.max(...channels)).toBeLessThan(60)
    // Nothing spills sideways at 1024 px: the page itself does not scroll horizontally.
    expect(await dark.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(1024)
    await screenshot(dark, '11-dark-laptop')
    await dark.context().close()
  })

  it('marks the line of an SQL error and says what is wrong', async () => {
    await page.goto(`${app.url}/query/`)
    await typeSql(page, 'SELECT city,\n  count(*) AS n\nFROM city_peple\nGROUP BY city')
    await page.keyboard.press('ControlOrMeta+Enter')
    const alert = page.getByRole('alert').filter({ hasText: 'Error on line' })
    await alert.waitFor()
    expect(await alert.innerText()).toContain('Error on line 3')
    expect(await alert.innerText()).toContain('city_peple')
    expect(await page.locator('.cm-error-line').getAttribute('data-error-line')).toBe('3')
    expect(await page.locator('.cm-error-mark').innerText()).toBe('city_peple')
    await screenshot(page, '08-sql-error')
    // Editing the SQL clears the mark.
    await editor(page).press('End')
    await editor(page).pressSequentially(' ')
    expect(await page.locator('.cm-error-line').count()).toBe(0)
  })

  it('opens a shared link with its SQL in the editor, not yet run', async () => {
    const sql = "SELECT city, count(*) AS n\nFROM city_people\nWHERE name <> 'x & y'\nGROUP BY city ORDER BY city"
    await page.goto(`${app.url}/query/?sql=${encodeURIComponent(sql)}`)
    await expect.poll(() => editor(page).innerText()).toBe(sql)
    expect(await page.getByText('Run a query to see its result').isVisible()).toBe(true)
    await editor(page).click()
    await page.keyboard.press('ControlOrMeta+Enter')
    await expect.poll(() => page.getByTestId('query-summary').innerText()).toMatch(/^3 rows · /)
    expect(await page.getByTestId('query-reused').count()).toBe(0)
    // The same SQL again, tables unchanged: answered from that run, and said so; Run again runs it.
    await page.keyboard.press('ControlOrMeta+Enter')
    await expect.poll(() => page.getByTestId('query-summary').innerText()).toMatch(/^3 rows · .* · reused result · Run again$/)
    await screenshot(page, '08b-query-reused')
    await page.getByRole('button', { name: 'Run again' }).click()
    await expect.poll(() => page.getByTestId('query-reused').count()).toBe(0)
    expect(await page.getByTestId('query-summary').innerText()).toMatch(/^3 rows · [^·]+$/)
  })

  it('charts a result: suggested columns, another kind, what rows it shows, and the chart in the shared link', async () => {
    await page.goto(`${app.url}/query/`)
    await typeSql(page, 'SELECT city, count(*) AS people, sum(amount) AS amount FROM city_people GROUP BY city ORDER BY city')
    await page.keyboard.press('ControlOrMeta+Enter')
    await expect.poll(() => page.getByTestId('query-summary').innerText(), { timeout: 30_000 }).toMatch(/^3 rows · /)
    await page.getByRole('button', { name: 'Chart' }).click()
    const chart = page.getByTestId('result-chart')
    // Suggested: the text column on x, the number columns as bars.
    await expect.poll(() => chart.locator('.recharts-bar-rectangle').count(), { timeout: 30_000 }).toBe(6)
    expect(await page.getByRole('img', { name: 'Bar chart of people, amount by city' }).isVisible()).toBe(true)
    expect(await page.getByTestId('chart-coverage').innerText()).toBe('All 3 rows')
    await page.getByRole('combobox', { name: 'Chart kind' }).click()
    await page.getByRole('option', { name: 'Line' }).click()
    await expect.poll(() => chart.locator('.recharts-line').count(), { timeout: 30_000 }).toBe(2)
    await screenshot(page, '09-chart-line')

    // A chart of more rows than a page says which it shows.
    await typeSql(page, 'SELECT id, amount FROM city_people ORDER BY id')
    await page.keyboard.press('ControlOrMeta+Enter')
    await expect.poll(() => page.getByTestId('chart-coverage').innerText(), { timeout: 30_000 }).toBe('Rows 1–1,000 of 2,500 (this page); aggregate in the SQL to chart them all')

    // The shared link carries the chart: it opens with the SQL and, once run, the chart as it was.
    const settings = { kind: 'area', x: 'city', y: ['people'] }
    await page.goto(`${app.url}/query/?sql=${encodeURIComponent('SELECT city, count(*) AS people FROM city_people GROUP BY city ORDER BY city')}&chart=${encodeURIComponent(JSON.stringify(settings))}`)
    await editor(page).click()
    await page.keyboard.press('ControlOrMeta+Enter')
    await expect.poll(() => page.getByRole('img', { name: 'Area chart of people by city' }).isVisible(), { timeout: 30_000 }).toBe(true)
    await page.getByRole('button', { name: 'Table' }).click()
    await expect.poll(() => page.getByTestId('result-chart').count(), { timeout: 30_000 }).toBe(0)
  })

  it('keeps the history and the saved queries on the server: a new browser finds both, and opens a saved query', async () => {
    await page.goto(`${app.url}/query/`)
    await typeSql(page, 'SELECT 42 AS answer')
    await page.keyboard.press('ControlOrMeta+Enter')
    await expect.poll(() => page.getByTestId('query-summary').innerText(), { timeout: 30_000 }).toMatch(/^1 row · /)
    await page.getByRole('tab', { name: 'Saved' }).click()
    await page.getByRole('textbox', { name: 'Name' }).fill('The answer')
    await page.getByRole('button', { name: 'Save query' }).click()
    await expect.poll(() => page.getByRole('list', { name: 'Saved queries' }).innerText(), { timeout: 30_000 }).toContain('The answer')
    await screenshot(page, '09-saved-query')

    // Another browser: nothing of the first one's storage, the same account.
    const other = await newPage(browser)
    try {
      await other.goto(`${app.url}/query/`)
      await other.getByRole('tab', { name: 'History' }).click()
      await expect.poll(() => other.getByRole('list', { name: 'Query history' }).innerText(), { timeout: 30_000 }).toContain('SELECT 42 AS answer')
      await other.getByRole('tab', { name: 'Saved' }).click()
      await other.getByRole('button', { name: /^The answer/ }).click()
      await expect.poll(() => editor(other).innerText(), { timeout: 30_000 }).toBe('SELECT 42 AS answer')
      // Renamed there, then deleted after asking: gone from the list.
      await other.getByRole('button', { name: 'Rename The answer' }).click()
      await other.getByRole('textbox', { name: 'New name for The answer' }).fill('Forty-two')
      await other.keyboard.press('Enter')
      await expect.poll(() => other.getByRole('list', { name: 'Saved queries' }).innerText(), { timeout: 30_000 }).toContain('Forty-two')
      await other.getByRole('button', { name: 'Delete Forty-two' }).click()
      await other.getByRole('dialog').getByRole('button', { name: 'Delete' }).click()
      await expect.poll(() => other.getByText('No saved queries').isVisible(), { timeout: 30_000 }).toBe(true)
      expect(other.problems).toEqual([])
    } finally {
      await other.context().close()
    }
  })

  it('loads a table three times, sees its versions, queries the first, rolls back to it after confirming, and the history says so', async () => {
    // The loads go through the API (the load journey is above); the history is the user's.
    const load = async (name: string, csv: string, submit: Record<string, unknown>) => {
      const form = new FormData()
      form.append('file', new Blob([csv], { type: 'text/csv' }), name)
      const { fileId } = await (await fetch(`${app.url}/api/upload`, { method: 'POST', body: form })).json()
      const submitted = await fetch(`${app.url}/api/submit`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ fileId, ...submit }) })
      const { jobId } = await submitted.json()
      await expect.poll(async () => (await (await fetch(`${app.url}/api/job-status?jobId=${jobId}`)).json()).status, { timeout: 30_000 }).toBe('SUCCEEDED')
    }
    await load('orders.csv', 'id,amount\n1,10\n2,20\n', { table: 'orders', mode: 'create' })
    await load('more-orders.csv', 'id,amount\n3,30\n', { table: 'orders', mode: 'append' })
    await load('new-orders.csv', 'id,item\n7,pen\n', { table: 'orders', mode: 'replace' })

    await page.goto(`${app.url}/tables/?name=orders`)
    const versions = page.getByRole('list', { name: 'Versions' })
    await expect.poll(() => versions.getByRole('listitem', { name: /^Version \d$/ }).count(), { timeout: 30_000 }).toBe(3)
    const third = versions.getByRole('listitem', { name: 'Version 3' })
    expect(await third.innerText()).toMatch(/Current[\s\S]*Replaced from new-orders\.csv[\s\S]*\+1 \/ −3 rows, 1 in all/)
    expect(await third.getByRole('list', { name: 'Schema changes' }).innerText()).toMatch(/\+ item[\s\S]*− amount/)
    await screenshot(page, '14-table-history')

    // Query the first version: the query page opens with its SQL; run it.
    await versions.getByRole('listitem', { name: 'Version 1' }).getByRole('link', { name: 'Query version 1' }).click()
    await page.waitForURL(/\/query\/\?sql=/)
    await expect.poll(() => editor(page).innerText(), { timeout: 30_000 }).toContain('FROM orders FOR VERSION AS OF 1')
    await page.getByRole('button', { name: 'Run' }).click()
    await expect.poll(() => page.getByTestId('query-summary').innerText(), { timeout: 30_000 }).toMatch(/^2 rows · /)
    expect(await page.getByRole('columnheader', { name: 'amount' }).count()).toBe(1)

    // Roll back to it, after confirming.
    await page.goto(`${app.url}/tables/?name=orders`)
    await versions.getByRole('listitem', { name: 'Version 1' }).getByRole('button', { name: 'Roll back to this version' }).click()
    const dialog = page.getByRole('dialog')
    expect(await dialog.innerText()).toContain('Roll back orders to version 1?')
    await dialog.getByRole('button', { name: 'Roll back' }).click()
    const fourth = versions.getByRole('listitem', { name: 'Version 4' })
    await expect.poll(() => fourth.innerText(), { timeout: 30_000 }).toMatch(/Current[\s\S]*Rolled back to version 1/)
    expect(await fourth.innerText()).toMatch(/\+2 \/ −1 rows, 2 in all/)
    await screenshot(page, '15-table-rolled-back')
    // The table is version 1's again.
    const result = await (await fetch(`${app.url}/api/query`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ sql: 'SELECT sum(amount) AS s FROM orders', waitMs: 10_000 }) })).json()
    expect(result.rows).toEqual([[30]])
  })

  it('uploads a Parquet file, previews its schema and first rows, loads it with its own types and queries it', async () => {
    const bytes = await parquetBytes(
      `SELECT i AS trip_id, i * 1.5::DOUBLE AS fare, DATE '2024-05-01' + i::INT AS day, TIMESTAMP '2024-05-01 08:30:00' + INTERVAL (i) MINUTE AS picked_up,
              CASE WHEN i % 3 = 0 THEN NULL ELSE 'zone ' || (i % 7) END AS zone
       FROM range(5000) t(i)`,
      { compression: 'zstd' },
    )
    await page.goto(`${app.url}/`)
    await page.setInputFiles('[data-testid=file-input]', { name: 'trips.parquet', mimeType: 'application/octet-stream', buffer: bytes })
    const row = page.getByRole('table', { name: 'Uploaded files' }).getByRole('row', { name: /trips\.parquet/ })
    await expect.poll(() => row.innerText(), { timeout: 30_000 }).toContain('Parquet')
    await row.getByRole('link', { name: 'Preview' }).click()
    await expect.poll(() => page.getByLabel('Detected format').innerText(), { timeout: 30_000 }).toMatch(/Parquet[\s\S]*5,000/)
    const header = (await page.locator('thead th').allInnerTexts()).slice(1).map((h) => h.replace(/\s+/g, ' ').trim())
    expect(header).toEqual(['trip_id bigint', 'fare double', 'day date', 'picked_up timestamp', 'zone string'])
    expect(await page.locator('tbody tr').first().innerText()).toMatch(/0\s+0\s+2024-05-01\s+2024-05-01 08:30:00\s+NULL/)
    // No CSV settings for a Parquet file.
    expect(await page.getByLabel('Delimiter').count()).toBe(0)
    await screenshot(page, '16-parquet-preview')

    await expect.poll(() => page.getByLabel('Table name').inputValue()).toBe('trips')
    await page.getByRole('button', { name: 'Load into trips' }).click()
    await page.waitForURL(/\/jobs\/\?id=j_/)
    await expect.poll(() => page.getByTestId('job-status').innerText(), { timeout: 30_000 }).toBe('Succeeded')
    // The columnar branch: no staging, no crawl.
    const steps = page.getByRole('list', { name: 'Workflow steps' }).locator('li')
    expect(await steps.nth(1).getAttribute('data-step')).toBe('ConvertColumnar')
    expect(await page.locator('li[data-step=StartCrawler]').count()).toBe(0)

    await page.getByRole('link', { name: 'Query trips' }).click()
    await page.waitForURL(/\/query\/\?table=trips/)
    await typeSql(page, "SELECT count(*) AS n, count(zone) AS zoned, max(day) AS last_day, typeof(max(picked_up)) AS t\nFROM trips")
    await page.keyboard.press('ControlOrMeta+Enter')
    await expect.poll(() => page.getByTestId('query-summary').innerText(), { timeout: 30_000 }).toMatch(/^1 row · /)
    expect((await page.getByRole('gridcell').allInnerTexts()).join(' ')).toMatch(/^5000 3333 2038-01-07 TIMESTAMP/)
  })

  it('cancels a long query while it runs, showing the time elapsed meanwhile', async () => {
    await page.goto(`${app.url}/query/`)
    await typeSql(page, "SELECT count(*)\nFROM city_people a, city_people b, city_people c\nWHERE a.name || b.name || c.name LIKE '%never%'")
    await page.getByRole('button', { name: 'Run' }).click()
    const elapsed = page.getByTestId('query-elapsed')
    await elapsed.waitFor()
    // Past a second: the API has answered 202 and the web is polling, counting the time.
    await expect.poll(() => elapsed.innerText(), { timeout: 10_000 }).toMatch(/^Running · \d+\.\d+ s$/)
    await screenshot(page, '09-query-running')
    await page.getByRole('button', { name: 'Cancel' }).click()
    await page.getByText('The query was cancelled.').waitFor({ timeout: 15_000 })
    expect(await page.getByRole('button', { name: 'Run' }).isEnabled()).toBe(true)
  })
})
