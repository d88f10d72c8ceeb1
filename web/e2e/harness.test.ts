// The browser-test harness itself: the machine's Chromium launches headless, a page records what
// goes wrong in it, and a screenshot lands in .artifacts/screenshots.
import { existsSync, readFileSync, rmSync } from 'node:fs'
import { expect, it } from 'vitest'
import { freePort, launchBrowser, newPage, screenshot } from './harness.ts'

it('launches Chromium, records page errors and failed requests, and writes a full-page screenshot', async () => {
  const browser = await launchBrowser()
  try {
    const page = await newPage(browser, { colorScheme: 'dark' })
    const closed = `http://127.0.0.1:${await freePort()}/nothing` // nobody listens: connection refused
    const html = `<!doctype html><title>harness</title>
      <body style="height:2000px"><h1>csvlake harness</h1>
      <script>
        document.body.dataset.scheme = matchMedia('(prefers-color-scheme: dark)').matches ? 'dark' : 'light'
        console.error('boom')
        fetch('${closed}').catch(() => {})
        setTimeout(() => { throw new Error('uncaught') })
      </script></body>`
    await page.goto(`data:text/html,${encodeURIComponent(html)}`)
    await expect.poll(() => page.problems.length).toBe(3)
    expect(await page.getAttribute('body', 'data-scheme')).toBe('dark')
    expect(page.viewportSize()).toEqual({ width: 1280, height: 800 })
    expect(page.problems).toEqual(
      expect.arrayContaining([
        { kind: 'console', message: 'boom' },
        { kind: 'pageerror', message: 'uncaught' },
        { kind: 'requestfailed', message: expect.stringMatching(/^net::ERR_/), url: closed },
      ]),
    )

    const path = await screenshot(page, 'harness-self-test')
    expect(path).toMatch(/\.artifacts\/screenshots\/harness-self-test\.png$/)
    const png = readFileSync(path)
    expect(png.subarray(1, 4).toString()).toBe('PNG')
    expect(png.readUInt32BE(20)).toBeGreaterThan(800) // full page: taller than the viewport
    rmSync(path)
    expect(existsSync(path)).toBe(false)
  } finally {
    await browser.close()
  }
})
