import { open, type FileHandle } from 'node:fs/promises'
import { Readable } from 'node:stream'
import { setTimeout as sleep } from 'node:timers/promises'

const CHUNK = 1024 * 1024

/**
 * Streams a file while another writer is still appending to it, and ends once `written` has
 * resolved and every byte is read; if `written` rejects, the stream fails with that error. Lets a
 * download start before the file is complete instead of after.
 */
export function followFile(path: string, written: Promise<unknown>, pollMs = 5): Readable {
  let finished = false
  let failure: unknown
  written.then(
    () => (finished = true),
    (error: unknown) => {
      finished = true
      failure = error
    },
  )
  async function* chunks() {
    const handle = await openWhenCreated(path, () => finished, pollMs)
    if (!handle) {
      if (failure !== undefined) throw failure
      return
    }
    try {
      let position = 0
      for (;;) {
        // Read after noting whether the writer had finished: a read that then finds nothing is the end.
        const wasFinished = finished
        const buffer = Buffer.allocUnsafe(CHUNK)
        const { bytesRead } = await handle.read(buffer, 0, CHUNK, position)
        if (bytesRead > 0) {
          position += bytesRead
          yield buffer.subarray(0, bytesRead)
        } else if (wasFinished) {
          if (failure !== undefined) throw failure
          return
        } else {
          await sleep(pollMs)
        }
      }
    } finally {
      await handle.close()
    }
  }
  return Readable.from(chunks(), { objectMode: false })
}

/** Opens the file once the writer has created it; undefined when the writer finished without it. */
async function openWhenCreated(path: string, finished: () => boolean, pollMs: number): Promise<FileHandle | undefined> {
  for (;;) {
    const wasFinished = finished()
    try {
      return await open(path, 'r')
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error
      if (wasFinished) return undefined
      await sleep(pollMs)
    }
  }
}
