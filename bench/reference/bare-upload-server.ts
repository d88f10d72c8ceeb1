// The reference for upload throughput: node:http + busboy, writing the file to disk, nothing else.
// With BARE_FSYNC=1 it also forces the file to disk before answering, as csvlake does.
import busboy from 'busboy'
import { close, createWriteStream, fsync, openSync } from 'node:fs'
import { createServer } from 'node:http'
import { join } from 'node:path'

const dir = process.env.BARE_DIR ?? '/tmp'
const durable = process.env.BARE_FSYNC === '1'
let n = 0
createServer((req, res) => {
  if (req.method === 'GET') return res.end('ok')
  const parser = busboy({ headers: req.headers })
  parser.on('file', (_field, stream) => {
    const fd = openSync(join(dir, `bare-${process.pid}-${n++}`), 'w')
    const out = createWriteStream('', { fd, autoClose: !durable })
    stream.pipe(out)
    out.on('finish', () => {
      if (!durable) return res.end('stored')
      fsync(fd, () => close(fd, () => res.end('stored')))
    })
  })
  req.pipe(parser)
}).listen(Number(process.env.PORT))
