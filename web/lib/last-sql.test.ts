import { beforeEach, describe, expect, it } from 'vitest'
import { lastSqlKey, readLastSql, rememberSql } from './last-sql'

describe('the last SQL, remembered per user in this browser', () => {
  beforeEach(() => window.localStorage.clear())

  it('is empty at first, and the SQL last run afterwards, for that user only', () => {
    expect(readLastSql('ada')).toBe('')
    rememberSql('ada', 'SELECT 1')
    rememberSql('grace', 'SELECT 2')
    expect(readLastSql('ada')).toBe('SELECT 1')
    expect(readLastSql('grace')).toBe('SELECT 2')
  })

  it('opens with the newest query of the history earlier versions kept here, until a new one runs', () => {
    window.localStorage.setItem('csvlake:history:ada', JSON.stringify([{ sql: 'SELECT old', at: '2026-01-01T00:00:00Z', status: 'SUCCEEDED' }]))
    expect(readLastSql('ada')).toBe('SELECT old')
    rememberSql('ada', 'SELECT new')
    expect(readLastSql('ada')).toBe('SELECT new')
  })

  it('reads a damaged value as nothing rather than failing the page', () => {
    window.localStorage.setItem('csvlake:history:ada', '{not json')
    expect(readLastSql('ada')).toBe('')
    window.localStorage.setItem(lastSqlKey('ada'), '')
    expect(readLastSql('ada')).toBe('')
  })
})
