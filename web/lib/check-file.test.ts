import { describe, expect, it } from 'vitest'
import { fileProblem } from './check-file'

describe('fileProblem', () => {
  it('lets CSV, TSV and TXT files through, gzipped or not, in any case', () => {
    for (const name of ['a.csv', 'b.TSV', 'c.txt', 'd.csv.gz', 'E.CSV.GZ']) expect(fileProblem({ name, size: 10 }, 100)).toBeNull()
  })
  it('refuses other kinds of file', () => {
    for (const name of ['photo.png', 'data.xlsx', 'csv', 'a.csv.zip', 'a.gz']) expect(fileProblem({ name, size: 10 }, 100)).toMatch(/^Not a CSV file/)
  })
  it('refuses an empty file', () => {
    expect(fileProblem({ name: 'a.csv', size: 0 }, 100)).toBe('The file is empty')
  })
  it('refuses a file over the limit, and lets one at the limit through', () => {
    expect(fileProblem({ name: 'a.csv', size: 2048 }, 1024)).toBe('Too large: 2.0 KB, and the limit is 1.0 KB')
    expect(fileProblem({ name: 'a.csv', size: 1024 }, 1024)).toBeNull()
  })
})
