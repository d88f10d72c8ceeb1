// The reference of the S3 upload figure: @aws-sdk/lib-storage uploading a file straight from disk
// to an S3-compatible endpoint, with the part size and queue csvlake's S3 store uses.
// Arguments: file endpoint bucket key. Prints the seconds it took.
import { createReadStream } from 'node:fs'
import { S3Client } from '@aws-sdk/client-s3'
import { Upload } from '@aws-sdk/lib-storage'

const [file, endpoint, bucket, key] = process.argv.slice(2) as [string, string, string, string]
const s3 = new S3Client({
  endpoint,
  region: 'us-east-1',
  forcePathStyle: true,
  credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' },
  requestChecksumCalculation: 'WHEN_REQUIRED',
  responseChecksumValidation: 'WHEN_REQUIRED',
})
const started = performance.now()
await new Upload({ client: s3, params: { Bucket: bucket, Key: key, Body: createReadStream(file) }, partSize: 8 * 1024 * 1024, queueSize: 4 }).done()
console.log(((performance.now() - started) / 1000).toFixed(3))
s3.destroy()
