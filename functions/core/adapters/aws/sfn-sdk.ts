import { SFN, type SFNClientConfig } from '@aws-sdk/client-sfn'
import type { StepFunctionsApi } from './step-functions-api.ts'

/**
 * The SDK's SFN client as the workflow's StepFunctionsApi: made once per process (it keeps its
 * connections), from the SDK's own configuration (region, credentials, retry strategy,
 * AWS_ENDPOINT_URL_SFN). The assignment is the check that the SDK's methods take the requests
 * StepFunctionsWorkflow sends and answer the shapes it reads.
 */
export function sfnSdkClient(config: SFNClientConfig = {}): StepFunctionsApi {
  const client: StepFunctionsApi = new SFN(config)
  return client
}
