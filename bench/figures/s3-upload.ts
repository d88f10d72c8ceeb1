import { spawnSync } from 'node:child_process'
import { join } from 'node:path'
import { curlUpload, REPO, startServer } from '../lib/app.ts'
import { sampleRss } from '../lib/proc.ts'
import { fmtMiB, fmtRate, fmtRatio, type Row } from '../lib/row.ts'
import { median } from '../lib/stats.ts'

const BUCKET = 'csvlake-bench'

/**
 * aws mode's upload: the upload function (its own process, CSVLAKE_MODE=aws) streaming a file into
 * an S3-compatible server (s3rver, its own process, objects on disk) as a multipart upload, against
 * @aws-sdk/lib-storage uploading the same file straight from disk to the same server. Runs turn about.
 */
export async function s3UploadFigures(opts: { big: string; bigBytes: number; runs: number }): Promise<Row[]> {
  const s3rver = await startServer([join(REPO, 'bench', 'reference', 's3rver-server.ts')], { S3RVER_BUCKET: BUCKET }, '/__ready')
  const endpoint = (await fetch(`${s3rver.url}/__ready`)).headers.get('x-s3-endpoint')!
  const upload = await startServer(
    [join(REPO, 'dist', 'functions', 'upload.mjs')],
    {
      CSVLAKE_MODE: 'aws',
      CSVLAKE_AUTH: 'none',
      CSVLAKE_S3_BUCKET: BUCKET,
      AWS_REGION: 'us-east-1',
      AWS_ENDPOINT_URL_S3: endpoint,
      AWS_ACCESS_KEY_ID: 'S3RVER',
      AWS_SECRET_ACCESS_KEY: 'S3RVER',
      CSVLAKE_ATHENA_WORKGROUP: 'csvlake',
      CSVLAKE_INGEST_STATE_MACHINE_ARN: 'arn:aws:states:us-east-1:123456789012:stateMachine:csvlake-ingest',
      CSVLAKE_CRAWLER_ROLE_ARN: 'arn:aws:iam::123456789012:role/csvlake-crawler',
      CSVLAKE_TENANT_ROLE_ARN: 'arn:aws:iam::123456789012:role/csvlake-tenant',
    },
    '/healthz',
  )
  const csvlake: number[] = []
  const reference: number[] = []
  const growth: number[] = []
  try {
    for (let i = 0; i < opts.runs; i++) {
      spawnSync('sync')
      const sampler = sampleRss(upload.pid)
      const res = await curlUpload(upload.url, opts.big)
      growth.push((await sampler.stop()).growth)
      if (res.status !== 201) throw new Error(`aws-mode upload answered ${res.status}: ${JSON.stringify(res.body)}`)
      csvlake.push(res.seconds * 1000)
      await fetch(`${upload.url}/api/files/${String(res.body.fileId)}`, { method: 'DELETE' }).catch(() => undefined)

      spawnSync('sync')
      const ref = spawnSync(process.execPath, [join(REPO, 'bench', 'reference', 'lib-storage-upload.ts'), opts.big, endpoint, BUCKET, `reference/${i}`], { cwd: REPO, encoding: 'utf8' })
      if (ref.status !== 0) throw new Error(`lib-storage reference failed: ${ref.stderr}`)
      reference.push(Number(ref.stdout.trim()) * 1000)
    }
  } finally {
    await upload.stop()
    await s3rver.stop()
  }
  const [csvlakeMs, referenceMs] = [median(csvlake), median(reference)] as [number, number]
  const memory = median(growth)
  return [
    {
      figure: `aws mode: upload of ${fmtMiB(opts.bigBytes)} through the upload function into S3 (s3rver), multipart while it arrives`,
      csvlake: fmtRate(opts.bigBytes, csvlakeMs),
      reference: `@aws-sdk/lib-storage from disk to the same s3rver ${fmtRate(opts.bigBytes, referenceMs)}`,
      ratio: fmtRatio(referenceMs / csvlakeMs),
      target: '>= 0.80x of lib-storage from disk',
      met: referenceMs / csvlakeMs >= 0.8,
    },
    {
      figure: 'aws mode: upload function memory growth during that upload',
      csvlake: fmtMiB(memory),
      reference: `file ${fmtMiB(opts.bigBytes)}`,
      ratio: fmtRatio(memory / opts.bigBytes),
      target: '< 64 MiB',
      met: memory < 64 * 1024 * 1024,
    },
  ]
}
