import type { StateMachineDefinition } from 'aws-local-stepfunctions'
import definition from '../../../statemachines/ingest.asl.json' with { type: 'json' }
import { createLocalServices, type LocalServices } from './local/local-services.ts'
import type { Config } from '../config.ts'
import type { Logger } from '../logger.ts'
import type { ServiceMetrics } from '../services.ts'

/** Picks the adapters for the configured mode; the only place that knows both exist. */
export async function servicesForMode(config: Config, log: Logger, metrics?: ServiceMetrics): Promise<LocalServices> {
  if (config.mode === 'aws') {
    // Loaded only here: local mode's bundles never load the AWS SDK.
    const { awsServicesFromEnv } = await import('./aws/aws-main.ts')
    return awsServicesFromEnv(config, log, process.env, metrics)
  }
  return createLocalServices(config, log, definition as unknown as StateMachineDefinition, metrics)
}
