import { Glue, type GlueClientConfig } from '@aws-sdk/client-glue'
import type { GlueApi } from './glue-api.ts'

/**
 * The SDK's Glue client as the catalog's GlueApi, from the SDK's own configuration (region,
 * credentials, retry strategy, AWS_ENDPOINT_URL_GLUE). The assignment is the check that the
 * SDK's methods take the requests GlueCatalog sends and answer the shapes it reads.
 */
export function glueSdkClient(config: GlueClientConfig = {}): GlueApi {
  const client: GlueApi = new Glue(config)
  return client
}
