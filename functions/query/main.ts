import { runFunction } from '../core/http/run-function.ts'
import { createQueryApp } from './app.ts'

// Local mode runs each query in (a sandbox of) the process that took it: this function owns the queries.
await runFunction('query', createQueryApp, { queries: true })
