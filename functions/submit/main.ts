import { runFunction } from '../core/http/run-function.ts'
import { createSubmitApp } from './app.ts'

await runFunction('submit', createSubmitApp)
