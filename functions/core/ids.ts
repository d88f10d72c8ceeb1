import { randomUUID } from 'node:crypto'
import { doc, z } from './zod.ts'

/** Ids are random (no guessing another upload's id) and safe as a key segment. */
export function newId(prefix: 'f' | 'j' | 'q'): string {
  return `${prefix}_${randomUUID().replaceAll('-', '')}`
}

const idSchema = (prefix: string, what: string, example: string) =>
  doc(z.string().check(z.regex(new RegExp(`^${prefix}_[0-9a-f]{32}$`), `${what} ids look like ${prefix}_ followed by 32 hex digits`)), { example })

export const FileId = idSchema('f', 'file', 'f_3b2a5c0e9d8f4e6a8b1c2d3e4f5a6b7c')
export const JobId = idSchema('j', 'job', 'j_0c1d2e3f4a5b6c7d8e9f0a1b2c3d4e5f')
export const QueryId = idSchema('q', 'query', 'q_9f8e7d6c5b4a39281706f5e4d3c2b1a0')
