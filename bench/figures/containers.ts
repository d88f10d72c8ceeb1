import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { hardened, waitForHttp } from '../../deploy/compose.ts'
import { docker, dockerOk } from '../../deploy/docker.ts'
import { imageRef } from '../../deploy/image-plan.ts'
import { BASE_IMAGE, imageSizes } from '../../deploy/images.ts'
import { FUNCTIONS } from '../../deploy/routing.ts'
import { REPO, startServer } from '../lib/app.ts'
import { fmtMiB, fmtMs, fmtRatio, type Row } from '../lib/row.ts'
import { median } from '../lib/stats.ts'

/**
 * Each image's size, and each function's cold start in its container: from `docker run` (a new
 * container, as a Knative scale from zero makes a new pod: empty /tmp, so no compile cache) to
 * the first 200 on /healthz, beside the same bundle started as a bare process on this machine
 * (also without a compile cache). Needs the images (`node scripts/images.mjs build`) and Docker.
 */
export async function containerFigures(runs: number): Promise<Row[]> {
  const rows: Row[] = []
  const sizes = imageSizes()
  const base = sizes.find((s) => s.ref === BASE_IMAGE)?.bytes ?? 0
  for (const { ref, bytes } of sizes.filter((s) => s.ref !== BASE_IMAGE)) {
    rows.push({ figure: `image ${ref}`, csvlake: fmtMiB(bytes), reference: `${BASE_IMAGE} ${fmtMiB(base)}`, ratio: fmtRatio(bytes / base), target: 'report', met: null })
  }
  const volume = `csvlake-bench-${process.pid}`
  dockerOk(['volume', 'create', volume])
  const scratch = await mkdtemp(join(tmpdir(), 'csvlake-bench-containers-'))
  try {
    for (const fn of FUNCTIONS) {
      const inContainer: number[] = []
      const bare: number[] = []
      for (let i = 0; i < runs; i++) {
        inContainer.push(await containerColdStart(imageRef(fn, 'local'), volume))
        const server = await startServer([join(REPO, 'dist', 'functions', `${fn}.mjs`)], { CSVLAKE_DATA_DIR: join(scratch, 'data'), NODE_COMPILE_CACHE: '' }, '/healthz')
        bare.push(server.startMs)
        await server.stop()
      }
      const ms = median(inContainer)
      const reference = median(bare)
      rows.push({ figure: `cold start of the ${fn} function in its container (docker run to first 200 on /healthz)`, csvlake: fmtMs(ms), reference: `bare process ${fmtMs(reference)}`, ratio: fmtRatio(ms / reference), target: 'report', met: null })
    }
  } finally {
    docker(['volume', 'rm', '-f', volume])
    await rm(scratch, { recursive: true, force: true })
  }
  return rows
}

/** One `docker run` of a function's image, as the local deployment runs it, to its first 200 on /healthz. */
async function containerColdStart(image: string, volume: string): Promise<number> {
  const started = performance.now()
  const id = dockerOk(['run', '-d', '-p', '127.0.0.1:0:8080', ...hardened(), '-e', 'HOST=0.0.0.0', '-v', `${volume}:/data`, image])
  try {
    const port = /:(\d+)\s*$/.exec(dockerOk(['port', id, '8080/tcp']).split('\n')[0]!)?.[1]
    await waitForHttp(`http://127.0.0.1:${port}/healthz`, 30_000)
    return performance.now() - started
  } finally {
    docker(['rm', '-f', id])
  }
}
