import { readFile } from 'node:fs/promises'

async function children(pid: number): Promise<number[]> {
  try {
    const tasks = await readFile(`/proc/${pid}/task/${pid}/children`, 'utf8')
    return tasks.split(/\s+/).filter(Boolean).map(Number)
  } catch {
    return []
  }
}

async function rssOf(pid: number): Promise<number> {
  try {
    const status = await readFile(`/proc/${pid}/status`, 'utf8')
    const kb = /VmRSS:\s+(\d+) kB/.exec(status)?.[1]
    return kb ? Number(kb) * 1024 : 0
  } catch {
    return 0
  }
}

/** Resident memory of a process and all its descendants, in bytes. */
export async function treeRss(pid: number): Promise<number> {
  let total = await rssOf(pid)
  for (const child of await children(pid)) total += await treeRss(child)
  return total
}

/** Samples the tree's RSS every `everyMs` until stopped; answers the baseline and the peak. */
export function sampleRss(pid: number, everyMs = 20) {
  let peak = 0
  let running = true
  const baseline = treeRss(pid)
  const loop = (async () => {
    while (running) {
      peak = Math.max(peak, await treeRss(pid))
      await new Promise((r) => setTimeout(r, everyMs))
    }
  })()
  return {
    async stop() {
      running = false
      await loop
      const base = await baseline
      return { baseline: base, peak: Math.max(peak, base), growth: Math.max(0, peak - base) }
    },
  }
}
