// The reference for a DuckDB function's cold start: an empty Hono app that also opens DuckDB.
import { DuckDBInstance } from '@duckdb/node-api'
import { serve } from '@hono/node-server'
import { Hono } from 'hono'

const db = await DuckDBInstance.create(':memory:')
const app = new Hono()
app.get('/api/health', (c) => c.json({ status: 'ok', db: typeof db }))
serve({ fetch: app.fetch, port: Number(process.env.PORT) })
