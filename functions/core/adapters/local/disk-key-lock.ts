import { createHash, randomUUID } from 'node:crypto'
import { link, mkdir, readFile, stat, unlink, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { AppError } from '../../errors.ts'

/** A conditional write holds its key's lock for one small read and write: longer means a hung peer. */
const WAIT_AT_MOST_MS = 15_000
/** A lock this old is stale whoever holds it (its pid may since belong to another process). */
const STALE_AFTER_MS = 60_000

/**
 * A lock per object key that holds across processes on one machine, for the disk store's
 * conditional writes: a file under `<root>/.locks/` holding its owner's pid and a token, linked
 * into place (link() fails when the name exists, so one taker wins, in any process). A lock
 * whose owner process is gone (it died mid-write), or older than a minute, is broken by one
 * waiter only: the breaker first creates `<lock>.<token>.breaking` the same way, then removes the
 * lock only if it still holds that token, so two waiters never both break it, nor break a lock a
 * live process has just taken.
 */
/** The tokens of the locks this process holds: one of its own pid but not among them is from an earlier life of that pid. */
const heldHere = new Set<string>()

export class DiskKeyLock {
  constructor(
    private readonly dirs: { locks: string; temp: string },
    private readonly isAlive: (pid: number) => boolean = processIsAlive,
  ) {}

  async run<T>(key: string, work: () => Promise<T>): Promise<T> {
    const path = join(this.dirs.locks, createHash('sha1').update(key).digest('hex'))
    const mine = `${process.pid} ${randomUUID()}`
    // Counted as ours before the lock file can exist, so no waiter of this process takes it for an earlier life's.
    heldHere.add(mine)
    try {
      await this.acquire(path, mine)
    } catch (err) {
      heldHere.delete(mine)
      throw err
    }
    try {
      return await work()
    } finally {
      // Still ours unless it outlived STALE_AFTER_MS and was broken: then it is not ours to remove.
      if ((await readFile(path, 'utf8').catch(() => undefined)) === mine) await unlink(path).catch(() => undefined)
      heldHere.delete(mine)
    }
  }

  private async acquire(path: string, mine: string): Promise<void> {
    const deadline = Date.now() + WAIT_AT_MOST_MS
    for (let attempt = 0; ; attempt++) {
      if (await createExclusive(path, mine, this.dirs)) return
      const owner = await readFile(path, 'utf8').catch(() => undefined)
      if (owner !== undefined && (this.ownerGone(owner) || (await ageMs(path)) > STALE_AFTER_MS)) await this.breakStale(path, owner)
      if (Date.now() > deadline) {
        throw new AppError('UNAVAILABLE', 'A record stayed locked by another csvlake process; try again.')
      }
      // Holds last milliseconds: poll fast, then back off a little.
      await new Promise((r) => setTimeout(r, Math.min(1 + attempt, 20)))
    }
  }

  /** Its process has ended - or has this pid but never took it (a restarted process given its old pid). */
  private ownerGone(owner: string): boolean {
    const pid = ownerPid(owner)
    if (pid === process.pid) return !heldHere.has(owner)
    return !this.isAlive(pid)
  }

  private async breakStale(path: string, owner: string): Promise<void> {
    const token = owner.split(' ')[1] ?? 'none'
    const marker = `${path}.${token}.breaking`
    if (!(await createExclusive(marker, `${process.pid}`, this.dirs))) {
      // Another waiter is breaking it; if that one died too, its marker goes and the next try breaks.
      const breaker = await readFile(marker, 'utf8').catch(() => undefined)
      if (breaker !== undefined && (!this.isAlive(Number(breaker)) || (await ageMs(marker)) > STALE_AFTER_MS)) await unlink(marker).catch(() => undefined)
      return
    }
    try {
      // Only the dead owner (never again) or the marker's holder (us) removes this token's lock.
      if ((await readFile(path, 'utf8').catch(() => undefined)) === owner) await unlink(path).catch(() => undefined)
    } finally {
      await unlink(marker).catch(() => undefined)
    }
  }
}

/**
 * Creates `path` holding `content`, or answers false when it exists. The content is written
 * first under a temp name and linked into place, so nobody ever reads a half-written lock.
 */
async function createExclusive(path: string, content: string, dirs: { locks: string; temp: string }): Promise<boolean> {
  const temp = join(dirs.temp, `${randomUUID()}.lock`)
  await writeFile(temp, content).catch(async (err: unknown) => {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err
    await mkdir(dirs.temp, { recursive: true })
    await writeFile(temp, content)
  })
  try {
    for (let tries = 0; ; tries++) {
      try {
        await link(temp, path)
        return true
      } catch (err) {
        const code = (err as NodeJS.ErrnoException).code
        if (code === 'EEXIST') return false
        if (code !== 'ENOENT' || tries > 0) throw err
        await mkdir(dirs.locks, { recursive: true })
      }
    }
  } finally {
    await unlink(temp).catch(() => undefined)
  }
}

async function ageMs(path: string): Promise<number> {
  return stat(path).then((s) => Date.now() - s.mtimeMs, () => 0)
}

function ownerPid(owner: string): number {
  return Number(owner.split(' ')[0])
}

/** Whether a process of this machine is running (an unreadable pid counts as running). */
export function processIsAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return true
  try {
    process.kill(pid, 0)
    return true
  } catch (err) {
    return (err as NodeJS.ErrnoException).code !== 'ESRCH'
  }
}
