import { config, registry } from 'zod/mini'
import en from 'zod/v4/locales/en.js'

// zod/mini, not classic zod: the same checks and messages from a tree-shaken ~10th of the code,
// which is most of what a function's cold start used to spend (bench/RESULTS.md). English
// messages are loaded once here; every schema module imports z from this file.
config(en())

export * as z from './zod-api.ts'

/** What the OpenAPI document says about a schema beyond its shape. */
export type DocMeta = {
  /** Makes the schema a named component (`#/components/schemas/<id>`). */
  id?: string
  description?: string
  example?: unknown
  /** What the JSON Schema of a zod type cannot say by itself (a binary body part; a coerced integer). */
  type?: string
  format?: string
  minimum?: number
  maximum?: number
}

/** The metadata of schemas, read only when the OpenAPI document is generated. */
export const docs = registry<DocMeta>()

/** Attaches documentation to a schema (the same instance, for chaining in a declaration). */
export function doc<T extends Parameters<typeof docs.add>[0]>(schema: T, meta: DocMeta): T {
  docs.add(schema, meta)
  return schema
}

/** A schema that the OpenAPI document lists as the component `id` and refers to by $ref. */
export function named<T extends Parameters<typeof docs.add>[0]>(id: string, schema: T, meta: Omit<DocMeta, 'id'> = {}): T {
  return doc(schema, { id, ...meta })
}
