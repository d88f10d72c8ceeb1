import { formatBytes } from './format'

const ACCEPTED = /(\.(csv|tsv|txt)(\.gz)?|\.parquet)$/i

/** Why a picked file will not be uploaded, in words, or null when it may go. */
export function fileProblem(file: { name: string; size: number }, maxBytes: number): string | null {
  if (!ACCEPTED.test(file.name)) return 'Not a CSV file: choose a .csv, .tsv or .txt file (gzipped is fine) or a .parquet file'
  if (file.size === 0) return 'The file is empty'
  if (file.size > maxBytes) return `Too large: ${formatBytes(file.size)}, and the limit is ${formatBytes(maxBytes)}`
  return null
}

export const ACCEPT_ATTRIBUTE = '.csv,.tsv,.txt,.gz,.parquet,text/csv,text/tab-separated-values,text/plain,application/gzip'
