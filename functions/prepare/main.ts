import { createLogger } from '../core/logger.ts'
import { prepareMain } from './prepare-main.ts'

// The prepare image's entry point: `ingest stage` or `ingest convert`, run by the ingest state
// machine as a Kubernetes Job (statemachines/ingest.asl.json, StageFile and ConvertToParquet).
process.exitCode = await prepareMain(process.argv.slice(2), process.env, createLogger())
