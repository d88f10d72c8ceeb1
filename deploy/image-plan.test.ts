import { describe, expect, it } from 'vitest'
import { appSourceIn, duckdbFunctions } from './image-plan.ts'
import { REPO } from './images.ts'

describe('which images carry DuckDB', () => {
  it('in local mode, the functions whose app takes the ingest workflow or the query engine: job-status, query, submit', () => {
    expect(duckdbFunctions('local', appSourceIn(REPO))).toEqual(['job-status', 'query', 'submit'])
  })

  it('follows the app: a function that starts taking the query engine gets DuckDB', () => {
    const source = (name: string) => (name === 'tables' ? "createTablesApp(deps: Pick<Services, 'catalog' | 'queries'>)" : "Pick<Services, 'log'>")
    expect(duckdbFunctions('local', source)).toEqual(['tables'])
  })

  it('in aws mode, none', () => {
    expect(duckdbFunctions('aws', appSourceIn(REPO))).toEqual([])
  })
})
