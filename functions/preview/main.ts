import { runFunction } from '../core/http/run-function.ts'
import { createPreviewApp } from './app.ts'

await runFunction('preview', createPreviewApp)
