import { spawnSync } from 'node:child_process'
import { copyFile, mkdir, mkdtemp, rm } from 'node:fs/promises'
import { join } from 'node:path'
import { curlUpload, startServer, type Running } from '../lib/app.ts'
import { sampleRss } from '../lib/proc.ts'
import { fmtMiB, fmtRate, fmtRatio, type Row } from '../lib/row.ts'
import { median } from '../lib/stats.ts'

export type UploadContext = { app: Running; big: string; bigBytes: number; huge: string; hugeBytes: number; scratch: string; runs: number }

/** Every run starts with no dirty pages, so no run pays for the previous one's writeback. */
export const flushDisk = () => void spawnSync('sync')

/** Upload throughput against cp and a bare busboy server; server memory growth during uploads. */
export async function uploadFigures(ctx: UploadContext): Promise<{ rows: Row[]; bigFileId: string }> {
  const startBare = async (fsync: boolean) => {
    const dir = await mkdtemp(join(ctx.scratch, 'bare-'))
    const server = await startServer([join(import.meta.dirname, '..', 'reference', 'bare-upload-server.ts')], { BARE_DIR: dir, BARE_FSYNC: fsync ? '1' : '0' }, '/')
    return { dir, server }
  }
  const bares = [await startBare(false), await startBare(true)] as const
  const bareUpload = async ({ dir, server }: (typeof bares)[number]) => {
    flushDisk()
    const res = await curlUpload(server.url, ctx.big)
    if (res.status !== 200) throw new Error(`bare server answered ${res.status}`)
    await rm(dir, { recursive: true, force: true })
    await mkdir(dir)
    return res.seconds * 1000
  }
  const copy = async (i: number) => {
    const target = join(ctx.scratch, `cp-${i}`)
    flushDisk()
    const start = performance.now()
    await copyFile(ctx.big, target)
    const ms = performance.now() - start
    await rm(target)
    return ms
  }

  let bigFileId = ''
  const growth: number[] = []
  const csvlakeUpload = async () => {
    flushDisk()
    const sampler = sampleRss(ctx.app.pid)
    const res = await curlUpload(ctx.app.url, ctx.big)
    const mem = await sampler.stop()
    if (res.status !== 201) throw new Error(`upload answered ${res.status}: ${JSON.stringify(res.body)}`)
    if (bigFileId) await fetch(`${ctx.app.url}/api/files/${String(res.body.fileId)}`, { method: 'DELETE' })
    else bigFileId = String(res.body.fileId)
    growth.push(mem.growth)
    return res.seconds * 1000
  }

  // Turn about, so a drift of the disk's speed during the figure hits csvlake and its references alike.
  const times = { cp: [] as number[], bare: [] as number[], durableBare: [] as number[], csvlake: [] as number[] }
  for (let i = 0; i < ctx.runs; i++) {
    times.cp.push(await copy(i))
    times.bare.push(await bareUpload(bares[0]))
    times.durableBare.push(await bareUpload(bares[1]))
    times.csvlake.push(await csvlakeUpload())
  }
  for (const { dir, server } of bares) {
    await server.stop()
    await rm(dir, { recursive: true, force: true })
  }
  const [cpMs, bareMs, durableBareMs, csvlakeMs] = [times.cp, times.bare, times.durableBare, times.csvlake].map(median) as [number, number, number, number]

  flushDisk()
  const hugeSampler = sampleRss(ctx.app.pid)
  const huge = await curlUpload(ctx.app.url, ctx.huge)
  const hugeMem = await hugeSampler.stop()
  if (huge.status !== 201) throw new Error(`the big upload answered ${huge.status}`)
  await fetch(`${ctx.app.url}/api/files/${String(huge.body.fileId)}`, { method: 'DELETE' })
  // The first upload after start also grows the heap to its working size once; the figure is the
  // median over the runs, with that first one shown beside it.
  const typicalGrowth = median(growth)
  const firstGrowth = growth[0] ?? 0
  const limit = 64 * 1024 * 1024

  return {
    bigFileId,
    rows: [
      {
        figure: `upload throughput, ${fmtMiB(ctx.bigBytes)} through POST /api/upload (sha256 included)`,
        csvlake: fmtRate(ctx.bigBytes, csvlakeMs),
        reference: `bare node:http + busboy ${fmtRate(ctx.bigBytes, bareMs)} (${fmtRate(ctx.bigBytes, durableBareMs)} with fsync, as csvlake does); cp ${fmtRate(ctx.bigBytes, cpMs)}`,
        ratio: `${fmtRatio(bareMs / csvlakeMs)} (${fmtRatio(durableBareMs / csvlakeMs)} of the fsync one)`,
        target: '>= 0.80x of the bare server',
        met: bareMs / csvlakeMs >= 0.8,
      },
      {
        figure: `server memory growth (RSS of every app process) during that upload`,
        csvlake: `${fmtMiB(typicalGrowth)} (the first upload after start: ${fmtMiB(firstGrowth)})`,
        reference: `file ${fmtMiB(ctx.bigBytes)}`,
        ratio: fmtRatio(typicalGrowth / ctx.bigBytes),
        target: '< 64 MiB',
        met: typicalGrowth < limit,
      },
      {
        figure: `server memory growth during an upload 4x bigger`,
        csvlake: fmtMiB(hugeMem.growth),
        reference: `file ${fmtMiB(ctx.hugeBytes)}`,
        ratio: fmtRatio(hugeMem.growth / ctx.hugeBytes),
        target: '< 64 MiB',
        met: hugeMem.growth < limit,
      },
    ],
  }
}
