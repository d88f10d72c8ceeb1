import { Hono } from 'hono'
import { describe, expect, it } from 'vitest'
import { AppError } from '../errors.ts'
import type { Logger } from '../logger.ts'
import { createOnError } from './on-error.ts'

function capture() {
  const lines: { level: string; message: string; fields?: Record<string, unknown> }[] = []
  const at = (level: string) => (message: string, fields?: Record<string, unknown>) => void lines.push({ level, message, ...(fields ? { fields } : {}) })
  const log: Logger = { info: at('info'), warn: at('warn'), error: at('error') }
  return { log, lines }
}

describe('createOnError', () => {
  it('logs a 503 with the service and its cause, and answers the error shape', async () => {
    const { log, lines } = capture()
    const app = new Hono().onError(createOnError(log))
    app.get('/x', () => {
      throw new AppError('UNAVAILABLE', 'S3 cannot be reached (ECONNREFUSED); try again in a minute.', { service: 'S3' }, { cause: new Error('connect ECONNREFUSED 127.0.0.1:9') })
    })
    const res = await app.request('/x')
    expect(res.status).toBe(503)
    expect((await res.json()).error).toMatchObject({ code: 'UNAVAILABLE', service: 'S3' })
    expect(lines).toEqual([expect.objectContaining({ level: 'warn', fields: expect.objectContaining({ service: 'S3', cause: expect.objectContaining({ message: 'connect ECONNREFUSED 127.0.0.1:9' }) }) })])
  })

  it('does not log what the caller got wrong (4xx)', async () => {
    const { log, lines } = capture()
    const app = new Hono().onError(createOnError(log))
    app.get('/x', () => {
      throw new AppError('NOT_FOUND', 'No such file.')
    })
    expect((await app.request('/x')).status).toBe(404)
    expect(lines).toEqual([])
  })
})
