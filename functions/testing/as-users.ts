/**
 * Calls to a test server as signed-in users, each by its bearer token: `call` with any init
 * (a string body is sent as JSON), `send` a JSON body, and `load` a whole file (upload, submit,
 * wait for the job), for tests with identity on and two tenants.
 */
export function asUsers(url: () => string) {
  const call = (token: string, path: string, init: RequestInit = {}) =>
    fetch(`${url()}${path}`, { ...init, headers: { authorization: `Bearer ${token}`, ...(typeof init.body === 'string' ? { 'content-type': 'application/json' } : {}), ...init.headers } })
  const send = (token: string, method: string, path: string, body: unknown) => call(token, path, { method, body: JSON.stringify(body) })

  /** Uploads `content` as `name`, submits it, and waits for the job: its record once SUCCEEDED, else an error with the job's. */
  async function load(token: string, name: string, content: string | Uint8Array, submit: Record<string, unknown> = {}, timeoutMs = 20_000) {
    const form = new FormData()
    form.append('file', new Blob([typeof content === 'string' ? content : Buffer.from(content)]), name)
    const uploaded = await call(token, '/api/upload', { method: 'POST', body: form })
    if (uploaded.status !== 201) throw new Error(`upload of ${name} answered ${uploaded.status}: ${await uploaded.text()}`)
    const { fileId } = (await uploaded.json()) as { fileId: string }
    const submitted = await send(token, 'POST', '/api/submit', { fileId, ...submit })
    if (submitted.status !== 202) throw new Error(`submit of ${name} answered ${submitted.status}: ${await submitted.text()}`)
    const { jobId } = (await submitted.json()) as { jobId: string }
    for (const until = Date.now() + timeoutMs; Date.now() < until; await new Promise((r) => setTimeout(r, 20))) {
      const job = (await (await call(token, `/api/job-status?jobId=${jobId}`)).json()) as { status: string; error?: unknown }
      if (job.status === 'SUCCEEDED') return job
      if (job.status !== 'RUNNING') throw new Error(`the load of ${name} ended ${job.status}: ${JSON.stringify(job.error)}`)
    }
    throw new Error(`the load of ${name} was still running after ${timeoutMs} ms`)
  }

  return { call, send, load }
}
