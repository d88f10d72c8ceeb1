import type { Readable } from 'node:stream'

/**
 * A Node stream as a web stream that reads only when the client takes the last chunk: memory
 * stays flat however big the file (Readable.toWeb buffers ahead of a slow reader).
 */
export function pullStream(source: Readable): ReadableStream<Uint8Array> {
  const chunks = source[Symbol.asyncIterator]() as AsyncIterator<Buffer | string>
  return new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        try {
          const { value, done } = await chunks.next()
          if (done) controller.close()
          else {
            // A stream of strings (e.g. Readable.from(['...'])) is sent as UTF-8.
            const bytes = typeof value === 'string' ? Buffer.from(value) : value
            controller.enqueue(new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength))
          }
        } catch (err) {
          controller.error(err)
        }
      },
      cancel() {
        source.destroy()
      },
    },
    { highWaterMark: 0 },
  )
}
