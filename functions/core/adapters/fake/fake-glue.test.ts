import { describe, expect, it } from 'vitest'
import { FakeGlue } from './fake-glue.ts'

describe('FakeGlue (Glue API shapes, written from the API reference, not recorded)', () => {
  it('answers EntityNotFoundException for a missing database or table, AlreadyExistsException for a second create', async () => {
    const glue = new FakeGlue()
    await expect(glue.getTable({ DatabaseName: 'db', Name: 'x' })).rejects.toMatchObject({ name: 'EntityNotFoundException', $metadata: { httpStatusCode: 400 }, Message: expect.any(String) })
    await glue.createDatabase({ DatabaseInput: { Name: 'db' } })
    await expect(glue.createDatabase({ DatabaseInput: { Name: 'db' } })).rejects.toMatchObject({ name: 'AlreadyExistsException' })
    await expect(glue.getTable({ DatabaseName: 'db', Name: 'x' })).rejects.toMatchObject({ name: 'EntityNotFoundException' })
    await glue.createTable({ DatabaseName: 'db', TableInput: { Name: 'x' } })
    await expect(glue.createTable({ DatabaseName: 'db', TableInput: { Name: 'x' } })).rejects.toMatchObject({ name: 'AlreadyExistsException' })
  })

  it('pages GetTables by NextToken, at most 100 tables a page', async () => {
    const glue = new FakeGlue()
    await glue.createDatabase({ DatabaseInput: { Name: 'db' } })
    for (let i = 0; i < 205; i++) await glue.createTable({ DatabaseName: 'db', TableInput: { Name: `t${String(i).padStart(3, '0')}` } })
    const sizes: number[] = []
    let NextToken: string | undefined
    do {
      const page = await glue.getTables({ DatabaseName: 'db', ...(NextToken ? { NextToken } : {}) })
      sizes.push(page.TableList.length)
      NextToken = page.NextToken
    } while (NextToken)
    expect(sizes).toEqual([100, 100, 5])
  })

  it('counts VersionId up by one each update and refuses an update at a stale VersionId', async () => {
    const glue = new FakeGlue()
    await glue.createDatabase({ DatabaseInput: { Name: 'db' } })
    await glue.createTable({ DatabaseName: 'db', TableInput: { Name: 'x' } })
    const { Table } = await glue.getTable({ DatabaseName: 'db', Name: 'x' })
    await glue.updateTable({ DatabaseName: 'db', TableInput: { Name: 'x', Parameters: { a: '1' } }, VersionId: Table.VersionId })
    const after = (await glue.getTable({ DatabaseName: 'db', Name: 'x' })).Table
    expect(Number(after.VersionId)).toBe(Number(Table.VersionId) + 1)
    await expect(glue.updateTable({ DatabaseName: 'db', TableInput: { Name: 'x' }, VersionId: Table.VersionId })).rejects.toMatchObject({
      name: 'ConcurrentModificationException',
      $metadata: { httpStatusCode: 400 },
    })
  })
})
