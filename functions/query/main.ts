import { runFunction } from '../core/http/run-function.ts'
import { createQueryApp } from './app.ts'

await runFunction('query', createQueryApp)
