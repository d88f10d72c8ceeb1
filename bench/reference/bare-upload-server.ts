// The reference for upload throughput: node:http + busboy, writing the file to disk, nothing else.
import busboy from 'busboy'
import { createWriteStream } from 'node:fs'
import { createServer } from 'node:http'
import { join } from 'node:path'

const dir = process.env.BARE_DIR ?? '/tmp'
let n = 0
createServer((req, res) => {
  if (req.method === 'GET') return res.end('ok')
  const parser = busboy({ headers: req.headers })
  parser.on('file', (_field, stream) => {
    const out = createWriteStream(join(dir, `bare-${process.pid}-${n++}`))
    stream.pipe(out)
    out.on('close', () => res.end('stored'))
  })
  req.pipe(parser)
}).listen(Number(process.env.PORT))
