/** One line of RESULTS.md. */
export type Row = {
  figure: string
  csvlake: string
  reference: string
  ratio: string
  target: string
  met: boolean | null
}

export const fmtMs = (ms: number) => (ms >= 1000 ? `${(ms / 1000).toFixed(2)} s` : `${ms.toFixed(1)} ms`)
export const fmtMiB = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(1)} MiB`
export const fmtRate = (bytes: number, ms: number) => `${(bytes / 1024 / 1024 / (ms / 1000)).toFixed(0)} MiB/s`
export const fmtRatio = (x: number) => `${x.toFixed(2)}x`
