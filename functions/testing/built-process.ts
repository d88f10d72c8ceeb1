import { spawn, type ChildProcess } from 'node:child_process'
import { mkdir, mkdtemp, rm } from 'node:fs/promises'
import { join } from 'node:path'
import { bundle } from '../../scripts/bundle.mjs'

const repo = join(import.meta.dirname, '..', '..')

/**
 * Bundles entry points exactly as `npm run build` does, into a folder inside the repository (so
 * the bundles find node_modules, as dist/ does), with the query sandbox every build has (the
 * functions that query start it as a process of their own). Answers the folder and a way to
 * remove it.
 */
export async function buildEntries(entries: Record<string, string>) {
  const parent = join(repo, '.tmp')
  await mkdir(parent, { recursive: true })
  const outdir = await mkdtemp(join(parent, 'build-'))
  const all = { 'query-sandbox': 'functions/core/adapters/local/duckdb-sandbox-worker.ts', ...entries }
  await bundle(outdir, Object.fromEntries(Object.entries(all).map(([name, path]) => [name, join(repo, path)])))
  return { outdir, remove: () => rm(outdir, { recursive: true, force: true }) }
}

/**
 * Starts a built bundle with Node (the project's Node 24) and waits until it listens. `onOutput`
 * sees everything it writes to stdout (its log), before and after that.
 */
export function startProcess(file: string, env: Record<string, string>, onOutput?: (text: string) => void): Promise<ChildProcess> {
  const child = spawn(process.execPath, [file], { env: { ...process.env, ...env }, cwd: repo, stdio: ['ignore', 'pipe', 'inherit'] })
  return new Promise((resolve, reject) => {
    child.stdout!.on('data', (chunk: Buffer) => {
      onOutput?.(chunk.toString())
      if (chunk.toString().includes('listening')) resolve(child)
    })
    child.once('exit', (code) => reject(new Error(`${file} exited early with ${code}`)))
  })
}

export function stopProcess(child: ChildProcess, signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
  // Ended already (exited, or killed by a signal): 'exit' will not come again.
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve()
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()))
  child.kill(signal)
  return exited
}

export const freePort = () => 20000 + Math.floor(Math.random() * 20000)
