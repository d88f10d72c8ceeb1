import { runFunction } from '../core/http/run-function.ts'
import { createSubmitApp } from './app.ts'

// Local mode runs each ingest job in the process that submitted it: this function owns the jobs.
await runFunction('submit', createSubmitApp, { jobs: true })
