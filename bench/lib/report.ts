import { execSync } from 'node:child_process'
import { cpus, totalmem } from 'node:os'
import type { Row } from './row.ts'

function sh(cmd: string): string {
  try {
    return execSync(cmd, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim()
  } catch {
    return 'unknown'
  }
}

export function machine(dataDir: string, duckdbVersion: string) {
  const cpu = cpus()
  return {
    cores: `${cpu.length} x ${cpu[0]?.model ?? 'unknown'}`,
    memory: `${(totalmem() / 1024 ** 3).toFixed(1)} GiB`,
    disk: sh(`df -h --output=source,fstype,size,avail ${JSON.stringify(dataDir)} | tail -1`),
    node: process.version,
    duckdb: duckdbVersion,
  }
}

export function renderResults(opts: { rows: Row[]; machine: Record<string, string>; date: string; settings: string; notes: string[] }): string {
  const cell = (s: string) => s.replaceAll('|', '\\|')
  const met = (m: boolean | null) => (m === null ? '-' : m ? 'yes' : '**no**')
  const lines = [
    '# csvlake benchmark results',
    '',
    `Measured ${opts.date} by \`npm run bench\` (${opts.settings}). Each figure is a median of several runs unless it says otherwise.`,
    '',
    '| figure | csvlake | reference | ratio | target | met? |',
    '| --- | --- | --- | --- | --- | --- |',
    ...opts.rows.map((r) => `| ${[r.figure, r.csvlake, r.reference, r.ratio, r.target].map(cell).join(' | ')} | ${met(r.met)} |`),
    '',
    '## Machine',
    '',
    ...Object.entries(opts.machine).map(([k, v]) => `- ${k}: ${v}`),
    '',
  ]
  if (opts.notes.length) lines.push('## Notes', '', ...opts.notes.map((n) => `- ${n}`), '')
  return lines.join('\n')
}
