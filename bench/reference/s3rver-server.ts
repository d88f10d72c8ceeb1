// s3rver (an S3-compatible server, objects on disk) in a process of its own, for the S3 upload figure:
// PORT, S3RVER_BUCKET. Answers GET /__ready with 200 once listening (the bench's probe).
import { createServer } from 'node:http'
import { startS3rver } from '../../functions/testing/s3rver.ts'

const port = Number(process.env.PORT)
const s3 = await startS3rver(process.env.S3RVER_BUCKET ?? 'csvlake-bench')
createServer((req, res) => {
  res.writeHead(req.url === '/__ready' ? 200 : 404, { 'x-s3-endpoint': s3.endpoint }).end()
}).listen(port, '127.0.0.1')
process.on('SIGTERM', () => void s3.close().then(() => process.exit(0)))
