import { runFunction } from '../core/http/run-function.ts'
import { createTablesApp } from './app.ts'

await runFunction('tables', createTablesApp)
