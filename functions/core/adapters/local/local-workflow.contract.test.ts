import type { StateMachineDefinition } from 'aws-local-stepfunctions'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import definition from '../../../../statemachines/ingest.asl.json' with { type: 'json' }
import { createLogger } from '../../logger.ts'
import { workflowContract } from '../../ports/workflow.contract.ts'
import { DiskObjectStore } from './disk-object-store.ts'
import { LocalWorkflow } from './local-workflow.ts'

// One process runs every local job, so there is no replica to ask.
workflowContract(
  'LocalWorkflow',
  async ({ tasksFor, maxRunningPerTenant }) => {
    const root = await mkdtemp(join(tmpdir(), 'csvlake-wf-contract-'))
    const workflow = new LocalWorkflow({
      store: new DiskObjectStore(root),
      definition: definition as unknown as StateMachineDefinition,
      tasksFor: (input) => tasksFor(input.jobId),
      waitMs: 1,
      cleanUpDead: async () => {},
      log: createLogger({ quiet: true }),
      now: () => new Date(),
      maxRunningPerTenant,
    })
    return {
      workflow,
      close: async () => {
        await workflow.close()
        await rm(root, { recursive: true, force: true })
      },
    }
  },
  { replicas: false },
)
