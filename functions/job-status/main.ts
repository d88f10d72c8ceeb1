import { runFunction } from '../core/http/run-function.ts'
import { createJobStatusApp } from './app.ts'

await runFunction('job-status', createJobStatusApp)
