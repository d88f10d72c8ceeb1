import { fork, type ChildProcess } from 'node:child_process'
import { randomUUID } from 'node:crypto'
import { existsSync } from 'node:fs'
import { readdir, readFile, rm, stat } from 'node:fs/promises'
import { join } from 'node:path'
import { setPriority } from 'node:os'
import { fileURLToPath } from 'node:url'
import { AppError, type ErrorCode, ERROR_STATUS } from '../../errors.ts'
import type { TableEntry } from '../../ports/catalog.ts'
import type { FromSandbox, SandboxReplies, SandboxRequest, ToSandbox } from './duckdb-sandbox-protocol.ts'
import type { SandboxSettings } from './duckdb-sandbox.ts'
import { sandboxFolders } from './duckdb-sandbox-folders.ts'

export type SandboxProcessLimits = {
  /** Resident memory past which the process is killed (DuckDB, its buffers and the JavaScript heap together). */
  memoryBytes: number
  /** The JavaScript heap's own bound, well under `memoryBytes`. */
  heapMiB: number
}

/** Why a sandbox process went away while calls were waiting on it. */
export type GoneReason = 'memory' | 'disk' | 'stopped' | 'crashed' | 'closed'

/** A call that failed because the tenant's sandbox process went away. */
export class SandboxGone extends Error {
  constructor(readonly reason: GoneReason, message: string) {
    super(message)
    this.name = 'SandboxGone'
  }
}

/** How often a busy process's resident memory is read. */
const WATCH_MS = 100
/** The sandbox runs a little below the serving process, so a busy tenant cannot starve the HTTP loop. */
const NICENESS = 5
const START_TIMEOUT_MS = 30_000

type Pending = { resolve: (value: unknown) => void; reject: (err: Error) => void }

/**
 * A tenant's sandbox in a process of its own (see `duckdb-sandbox-worker.ts`). The engine talks to
 * it by messages; while it has work, its resident memory is watched and past the bound the process
 * is killed - failing only that tenant's running calls - and the pool starts a fresh one on the next
 * call. `kill()` is also how a query that ignores interrupts (DuckDB's planner does) is stopped.
 */
export class SandboxProcess {
  private readonly pending = new Map<number, Pending>()
  private nextId = 1
  private goneWith: SandboxGone | undefined
  private killedFor: GoneReason | undefined
  private watch: NodeJS.Timeout | undefined
  private stderrTail = ''
  /** The catalog this process's views were last synced to, so an unchanged catalog is not sent again. */
  private syncedTables: string | undefined

  private constructor(
    private readonly child: ChildProcess,
    private readonly limits: SandboxProcessLimits,
    /** This process's spill folder and what it may hold: DuckDB's own max_temp_directory_size does not bound every spill (a big sort's, measured), so it is watched here. */
    private readonly spill: { dir: string; maxBytes: number },
  ) {
    child.stderr?.setEncoding('utf8')
    child.stderr?.on('data', (text: string) => {
      this.stderrTail = (this.stderrTail + text).slice(-4000)
    })
    child.on('message', (message: FromSandbox) => this.receive(message))
    // A send that races the process's end fails here; its exit fails whatever waits on it.
    child.on('error', () => undefined)
    child.once('exit', () => this.gone())
  }

  /** The tenant's sandbox, in a spare process when one is ready (else one started now). */
  static async open(settings: SandboxSettings, limits: SandboxProcessLimits, spares?: SpareSandboxes): Promise<SandboxProcess> {
    const child = await (spares ? spares.take() : startSpare(limits))
    const tempDir = join(sandboxFolders(settings.dataDir, settings.tenant).temp, randomUUID())
    const sandbox = new SandboxProcess(child, limits, { dir: tempDir, maxBytes: settings.maxTempBytes })
    sandbox.send({ open: { ...settings, tempDir } })
    await sandbox.ready()
    return sandbox
  }

  get alive(): boolean {
    return this.goneWith === undefined
  }

  async sync(entries: TableEntry[], force: boolean): Promise<void> {
    const version = JSON.stringify(entries.map((e) => [e.name, e.updatedAt, e.parts.map((p) => p.key), e.columns]))
    if (!force && version === this.syncedTables) return
    await this.call({ op: 'sync', entries, force })
    this.syncedTables = version
  }

  call<R extends SandboxRequest>(request: R): Promise<SandboxReplies[R['op']]> {
    if (this.goneWith) return Promise.reject(this.goneWith)
    const id = this.nextId++
    const answer = new Promise<unknown>((resolve, reject) => this.pending.set(id, { resolve, reject }))
    this.send({ id, request })
    this.watching()
    return answer as Promise<SandboxReplies[R['op']]>
  }

  interrupt(run: string): void {
    if (this.alive) this.send({ interrupt: run })
  }

  /** Stops the process at once; its waiting calls fail with `reason`. */
  kill(reason: GoneReason): void {
    if (!this.alive || this.killedFor) return
    this.killedFor = reason
    this.child.kill('SIGKILL')
  }

  close(): void {
    if (!this.alive) return
    this.killedFor ??= 'closed'
    // Disconnecting lets it close DuckDB; a process that does not go in time is killed.
    this.child.disconnect()
    setTimeout(() => this.child.kill('SIGKILL'), 2000).unref()
  }

  private ready(): Promise<void> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.kill('crashed')
        reject(new AppError('UNAVAILABLE', 'The query engine did not start in time; try again.'))
      }, START_TIMEOUT_MS)
      this.child.once('message', () => {
        clearTimeout(timer)
        resolve()
      })
      this.child.once('exit', () => {
        clearTimeout(timer)
        reject(new AppError('UNAVAILABLE', `The query engine could not start: ${lastLine(this.stderrTail) ?? 'it exited'}`))
      })
    })
  }

  private send(message: ToSandbox): void {
    if (!this.child.connected) return
    try {
      this.child.send(message)
    } catch {
      // The process is going away; its exit fails what waits on it.
    }
  }

  private receive(message: FromSandbox): void {
    if (!('id' in message)) return
    const waiting = this.pending.get(message.id)
    if (!waiting) return
    this.pending.delete(message.id)
    if (message.ok) return waiting.resolve(message.value)
    const { code, message: text, details } = message.error
    const known = code in ERROR_STATUS && code !== 'INTERNAL'
    waiting.reject(known ? new AppError(code as ErrorCode, text, details as Record<string, string>) : new Error(text))
  }

  /** Reads the process's resident memory and spill while calls wait on it; past a bound, kills it. */
  private watching(): void {
    if (this.watch || this.child.pid === undefined) return
    const statm = `/proc/${this.child.pid}/statm`
    this.watch = setInterval(() => {
      if (this.pending.size === 0) {
        clearInterval(this.watch)
        this.watch = undefined
        return
      }
      readFile(statm, 'utf8').then(
        (text) => {
          const resident = Number(text.split(' ')[1]) * 4096
          if (resident > this.limits.memoryBytes) this.kill('memory')
        },
        () => undefined, // No /proc (not Linux): the heap bound and DuckDB's memory_limit remain.
      )
      void bytesOnDisk(this.spill.dir).then((spilled) => {
        if (spilled > this.spill.maxBytes) this.kill('disk')
      })
    }, WATCH_MS)
    this.watch.unref()
  }

  private gone(): void {
    clearInterval(this.watch)
    // A killed DuckDB leaves its spill files behind; no other process uses this folder.
    void rm(this.spill.dir, { recursive: true, force: true }).catch(() => undefined)
    const heap = /heap out of memory|Allocation failed/i.test(this.stderrTail)
    const reason: GoneReason = heap ? 'memory' : (this.killedFor ?? 'crashed')
    this.goneWith = new SandboxGone(reason, goneMessage(reason, this.limits, this.spill.maxBytes))
    for (const waiting of this.pending.values()) waiting.reject(this.goneWith)
    this.pending.clear()
  }
}

/**
 * Sandbox processes started ahead of need: starting Node and loading DuckDB takes a few hundred
 * milliseconds, which a tenant's first query would otherwise wait for. Once warmed, one spare is
 * kept ready; it takes its tenant with its first message.
 */
export class SpareSandboxes {
  private spare: Promise<ChildProcess> | undefined
  private warmed = false
  private closed = false

  constructor(private readonly limits: SandboxProcessLimits) {}

  /** Starts a spare now, and another each time one is taken. */
  warm(): void {
    this.warmed = true
    if (this.closed) return
    this.spare ??= startSpare(this.limits)
    this.spare.catch(() => undefined)
  }

  async take(): Promise<ChildProcess> {
    const waiting = this.spare
    this.spare = undefined
    if (this.warmed) this.warm()
    const child = await (waiting ?? startSpare(this.limits)).catch(() => undefined)
    // A spare that died while it waited is replaced.
    return child && child.exitCode === null && child.connected ? child : startSpare(this.limits)
  }

  close(): void {
    this.closed = true
    void this.spare?.then((child) => child.kill('SIGKILL'), () => undefined)
    this.spare = undefined
  }
}

/**
 * util-linux's setpriv, which starts a program with a signal the kernel sends it when its parent
 * dies (prctl PR_SET_PDEATHSIG): on Linux, where every Debian image and machine has it. Elsewhere
 * (a Mac laptop) the sandbox is forked as it is, and ends when its IPC channel closes.
 */
const PDEATHSIG = process.platform === 'linux' && existsSync('/usr/bin/setpriv') ? '/usr/bin/setpriv' : undefined

/** A sandbox process, started and waiting (DuckDB loaded) to be told its tenant. */
async function startSpare(limits: SandboxProcessLimits): Promise<ChildProcess> {
  const { file, execArgv } = workerEntry()
  const node = [...execArgv, `--max-old-space-size=${limits.heapMiB}`]
  const child = fork(file, [], {
    env: { ...process.env, CSVLAKE_SANDBOX_WORKER: '1' },
    // Dies with its parent, even one killed with SIGKILL (which runs no clean-up): a sandbox busy
    // with a query cannot act on its IPC channel closing, and would burn a core until the query ends.
    ...(PDEATHSIG ? { execPath: PDEATHSIG, execArgv: ['--pdeathsig', 'SIGKILL', process.execPath, ...node] } : { execArgv: node }),
    serialization: 'advanced',
    stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
  })
  try {
    if (child.pid !== undefined) setPriority(child.pid, NICENESS)
  } catch {
    // Not permitted here: the sandbox simply runs at the same priority.
  }
  let stderr = ''
  child.stderr?.setEncoding('utf8')
  const collect = (text: string) => (stderr = (stderr + text).slice(-4000))
  child.stderr?.on('data', collect)
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL')
      reject(new AppError('UNAVAILABLE', 'The query engine did not start in time; try again.'))
    }, START_TIMEOUT_MS)
    child.once('message', () => {
      clearTimeout(timer)
      child.stderr?.off('data', collect)
      resolve(child)
    })
    child.once('exit', () => {
      clearTimeout(timer)
      reject(new AppError('UNAVAILABLE', `The query engine could not start: ${lastLine(stderr) ?? 'it exited'}`))
    })
  })
}

function lastLine(text: string): string | undefined {
  return text.trim().split('\n').at(-1) || undefined
}

function goneMessage(reason: GoneReason, limits: SandboxProcessLimits, spillBytes: number): string {
  const mib = Math.round(limits.memoryBytes / 2 ** 20)
  switch (reason) {
    case 'disk':
      return `Your queries were stopped: each tenant's queries may spill ${Math.round(spillBytes / 2 ** 20)} MiB to disk (CSVLAKE_QUERY_MAX_TEMP_BYTES), and these needed more. Add a LIMIT, a filter or an aggregate, or sort fewer rows.`
    case 'memory':
      return `Your queries needed more than ${mib} MiB of memory (CSVLAKE_QUERY_PROCESS_MEMORY) and were stopped; add a LIMIT, a filter or an aggregate, or run fewer at once.`
    case 'stopped':
      return 'Your queries were stopped together with one that did not answer an interrupt (cancelled or past its time limit); run this one again.'
    case 'closed':
      return 'csvlake stopped while this query was running; run it again.'
    case 'crashed':
      return 'The query engine stopped unexpectedly while running your queries; run this one again.'
  }
}

/**
 * The worker's file: the TypeScript source beside this one when running from source (tests), or
 * the bundle's `query-sandbox.mjs` next to the chunk or entry this code was bundled into.
 */
function workerEntry(): { file: string; execArgv: string[] } {
  const source = new URL('./duckdb-sandbox-worker.ts', import.meta.url)
  if (import.meta.url.endsWith('.ts') && existsSync(source)) {
    return { file: fileURLToPath(source), execArgv: ['--experimental-transform-types', '--no-warnings'] }
  }
  for (const candidate of ['./query-sandbox.mjs', '../query-sandbox.mjs']) {
    const url = new URL(candidate, import.meta.url)
    if (existsSync(url)) return { file: fileURLToPath(url), execArgv: ['--enable-source-maps'] }
  }
  throw new AppError('UNAVAILABLE', 'The query engine is not built (query-sandbox.mjs is missing); run npm run build.')
}

/** Bytes the files in a folder take on disk (allocated blocks, not apparent sizes); 0 when it is gone. */
async function bytesOnDisk(dir: string): Promise<number> {
  let total = 0
  for (const name of await readdir(dir).catch(() => [] as string[])) {
    const info = await stat(join(dir, name)).catch(() => undefined)
    if (info?.isFile()) total += info.blocks * 512
  }
  return total
}
