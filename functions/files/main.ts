import { runFunction } from '../core/http/run-function.ts'
import { createFilesApp } from './app.ts'

await runFunction('files', createFilesApp)
