import { extendZodWithOpenApi } from '@asteasolutions/zod-to-openapi'
import { z } from 'zod'

// Every schema module imports z from here, so .openapi() exists before any schema is built -
// also in bundles split into chunks, where the side effect of importing @hono/zod-openapi
// could run after a chunk that only uses its re-exported z.
extendZodWithOpenApi(z)

export { z }
