import { contractAnswers, queryRunnerContract } from '../../ports/query-runner.contract.ts'
import { FakeAthena } from '../fake/fake-athena.ts'
import { AthenaQueryRunner } from './athena-query-runner.ts'

// FakeAthena answers with Athena's response shapes, written from the Athena API reference, not recorded.
queryRunnerContract('Athena, over FakeAthena (ids assigned by the engine, late errors, forward-only tokens, string cells)', async () => {
  const athena = new FakeAthena(contractAnswers)
  const runner = new AthenaQueryRunner({ athenaFor: () => athena, outputs: athena.outputs(), workGroup: 'csvlake', databaseOf: (t) => `csvlake_${t}`, pollMs: 5 })
  return { runner, close: async () => {} }
})
