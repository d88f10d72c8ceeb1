import { Athena, type AthenaClientConfig } from '@aws-sdk/client-athena'
import type { AthenaApi } from './athena-api.ts'

/**
 * The SDK's Athena client as the runner's AthenaApi: made once per process (it keeps its
 * connections), from the SDK's own configuration (region, credentials, AWS_ENDPOINT_URL_ATHENA).
 * The assignment is the check that the SDK's methods answer the shapes AthenaQueryRunner reads.
 */
export function athenaSdkClient(config: AthenaClientConfig = {}): AthenaApi {
  const client: AthenaApi = new Athena(config)
  return client
}
