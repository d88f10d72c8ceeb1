import { describe, expect, it } from 'vitest'
import { tenantId } from '../../tenant.ts'
import { FakeAthena } from '../fake/fake-athena.ts'
import { AthenaQueryRunner } from './athena-query-runner.ts'

const A = tenantId('team-a')
const B = tenantId('team-b')
const GiB = 1024 ** 3

// FakeAthena answers with Athena's response shapes, written from the Athena API reference, not recorded.
describe('AthenaQueryRunner (over FakeAthena, shapes written from the Athena API reference)', () => {
  it("starts each tenant's query with that tenant's client, database and result folder", async () => {
    const clients = new Map([A, B].map((t) => [t, new FakeAthena(() => ({ columns: [{ Name: 'n', Type: 'integer' }], rows: [['1']], runMs: 0 }))]))
    const runner = new AthenaQueryRunner({
      athenaFor: (t) => clients.get(t)!,
      outputs: clients.get(A)!.outputs(),
      workGroup: 'csvlake',
      databaseOf: (t) => `db_${t.replace('-', '_')}`,
      outputLocationOf: (t) => `s3://bucket/athena-results/${t}/`,
      pollMs: 1,
    })
    const id = await runner.start(B, 'SELECT 1', { token: 'q1', tables: [], maxResultBytes: GiB })
    expect(clients.get(A)!.calls).toEqual([])
    const { QueryExecution } = await clients.get(B)!.getQueryExecution({ QueryExecutionId: id })
    expect(QueryExecution.QueryExecutionContext.Database).toBe('db_team_b')
    expect(QueryExecution.ResultConfiguration.OutputLocation).toBe(`s3://bucket/athena-results/team-b/${id}.csv`)
    // Another tenant asking for B's execution sees nothing: its client does not know the id.
    expect(await runner.status(A, id)).toBeUndefined()
  })

  it('stops a query that scanned more than the cutoff and says what the limit is', async () => {
    const athena = new FakeAthena(() => ({ columns: [{ Name: 'n', Type: 'integer' }], rows: [], runMs: 60_000, scannedBytes: 3 * GiB }))
    const runner = new AthenaQueryRunner({ athenaFor: () => athena, outputs: athena.outputs(), workGroup: 'csvlake', databaseOf: () => 'db', maxScannedBytes: 2 * GiB, pollMs: 1 })
    const id = await runner.start(A, 'SELECT * FROM big', { token: 'q2', tables: [], maxResultBytes: GiB })
    const status = await runner.status(A, id, 200)
    expect(status).toMatchObject({ state: 'FAILED', error: { code: 'TOO_LARGE', message: expect.stringContaining('2 GiB') } })
    expect(athena.calls).toContain('StopQueryExecution')
    expect((await athena.getQueryExecution({ QueryExecutionId: id })).QueryExecution.Status.State).toBe('CANCELLED')
  })
})
