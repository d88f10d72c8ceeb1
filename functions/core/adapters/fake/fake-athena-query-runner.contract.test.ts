import { contractAnswers, queryRunnerContract } from '../../ports/query-runner.contract.ts'
import { FakeAthena } from './fake-athena.ts'
import { FakeAthenaQueryRunner } from './fake-athena-query-runner.ts'

// The fake answers with Athena's response shapes, written from the Athena API reference, not recorded.
queryRunnerContract('Athena-like fake (ids assigned by the engine, late errors, forward-only tokens, string cells)', async () => ({
  runner: new FakeAthenaQueryRunner(new FakeAthena(contractAnswers)),
  close: async () => {},
}))
