import { runFunction } from '../core/http/run-function.ts'
import { createHealthApp } from './app.ts'

await runFunction('health', createHealthApp)
