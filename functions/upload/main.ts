import { runFunction } from '../core/http/run-function.ts'
import { createUploadApp } from './app.ts'

await runFunction('upload', createUploadApp)
