import type { StateMachineDefinition } from 'aws-local-stepfunctions'
import definition from '../../../statemachines/ingest.asl.json' with { type: 'json' }
import { createLocalServices, type LocalServices } from './local/local-services.ts'
import type { Config } from '../config.ts'
import type { Logger } from '../logger.ts'

/** Picks the adapters for the configured mode; the only place that knows both exist. */
export async function servicesForMode(config: Config, log: Logger): Promise<LocalServices> {
  if (config.mode === 'aws') {
    throw new Error('CSVLAKE_MODE=aws needs the AWS adapters (S3, Glue, Athena, Step Functions), which are not built yet; use local mode.')
  }
  return createLocalServices(config, log, definition as unknown as StateMachineDefinition)
}
