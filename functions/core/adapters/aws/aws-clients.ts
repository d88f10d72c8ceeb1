import { Athena } from '@aws-sdk/client-athena'
import { Glue } from '@aws-sdk/client-glue'
import { S3Client } from '@aws-sdk/client-s3'
import { SFN } from '@aws-sdk/client-sfn'
import { STSClient, type STSClientConfig } from '@aws-sdk/client-sts'
import type { InitializeHandlerArguments, InitializeMiddleware, MiddlewareStack } from '@smithy/types'
import { AppError } from '../../errors.ts'
import type { AwsClientConfig, AwsService } from './aws-config.ts'

/** The clients of one process: made once at start (each keeps its connection pool), passed in. */
export type AwsClients = { s3: S3Client; glue: Glue; athena: Athena; sfn: SFN; sts: STSClient }

/** Credentials as every SDK client takes them: fixed keys or a provider function. */
export type AwsCredentials = STSClientConfig['credentials']

/** How each service is named to users and operators. */
export const SERVICE_NAMES: Record<AwsService, string> = { s3: 'S3', glue: 'Glue', athena: 'Athena', sfn: 'Step Functions', sts: 'STS' }

/**
 * What every client shares: the region, a bounded retry (maxAttempts, the first included), and a
 * connection timeout and an answer timeout (to the response's headers; a streamed body is not
 * limited, so long exports and uploads are not cut). Without `throwOnRequestTimeout` the SDK only
 * logs a request that overran, and a server that never answers would hang the call.
 */
export function clientSettings(config: AwsClientConfig, service: AwsService) {
  const endpoint = service === 's3' ? config.s3.endpoint : config.endpoints[service]
  return {
    region: config.region,
    maxAttempts: config.maxAttempts,
    requestHandler: { connectionTimeout: config.timeoutMs, requestTimeout: config.timeoutMs, throwOnRequestTimeout: true },
    ...(endpoint ? { endpoint } : {}),
  }
}

/**
 * One client per service. S3-compatible servers (AWS_ENDPOINT_URL_S3) get path-style requests and
 * checksums only where an operation requires them: with the SDK's default checksums a streamed
 * PutObject is sent aws-chunked, which such servers may store framing and all.
 * `credentials` is for tests; in a deployment the SDK's default chain finds them.
 */
export function createAwsClients(config: AwsClientConfig, options: { credentials?: AwsCredentials } = {}): AwsClients {
  const common = (service: AwsService) => ({ ...clientSettings(config, service), ...(options.credentials ? { credentials: options.credentials } : {}) })
  const clients: AwsClients = {
    s3: s3Client(config, options),
    glue: glueClient(config, options),
    athena: new Athena(common('athena')),
    sfn: new SFN(common('sfn')),
    sts: new STSClient(common('sts')),
  }
  reportUnavailable(clients.athena, SERVICE_NAMES.athena)
  reportUnavailable(clients.sfn, SERVICE_NAMES.sfn)
  reportUnavailable(clients.sts, SERVICE_NAMES.sts)
  return clients
}

/** The S3 client alone (what createAwsClients makes), for a program that needs no other service. */
export function s3Client(config: AwsClientConfig, options: { credentials?: AwsCredentials } = {}): S3Client {
  const client = new S3Client({
    ...clientSettings(config, 's3'),
    ...(options.credentials ? { credentials: options.credentials } : {}),
    forcePathStyle: config.s3.forcePathStyle,
    ...(config.s3.endpoint ? { requestChecksumCalculation: 'WHEN_REQUIRED', responseChecksumValidation: 'WHEN_REQUIRED' } : {}),
  })
  reportUnavailable(client, SERVICE_NAMES.s3)
  return client
}

/** The Glue client alone (what createAwsClients makes). */
export function glueClient(config: AwsClientConfig, options: { credentials?: AwsCredentials } = {}): Glue {
  const client = new Glue({ ...clientSettings(config, 'glue'), ...(options.credentials ? { credentials: options.credentials } : {}) })
  reportUnavailable(client, SERVICE_NAMES.glue)
  return client
}

/** Errors of the socket, not of the service: the call never got an answer. */
const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ECONNABORTED',
  'ENOTFOUND',
  'EAI_AGAIN',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'EHOSTDOWN',
  'ENETUNREACH',
  'ENETDOWN',
  'EPIPE',
])

/** The services' names for "slow down" (the SDK's own throttling list, and Athena's and S3's). */
const THROTTLING = new Set([
  'Throttling',
  'ThrottlingException',
  'ThrottledException',
  'RequestThrottledException',
  'TooManyRequestsException',
  'ProvisionedThroughputExceededException',
  'TransactionInProgressException',
  'RequestLimitExceeded',
  'BandwidthLimitExceeded',
  'LimitExceededException',
  'RequestThrottled',
  'SlowDown',
  'PriorRequestNotComplete',
  'EC2ThrottledException',
])

type ErrorFields = { name?: unknown; code?: unknown; message?: unknown; $fault?: unknown; $metadata?: { httpStatusCode?: number; attempts?: number } }

/**
 * Why an error means the service is out of reach - a network failure, a timeout, a 5xx or
 * throttling that outlasted the retries - or undefined for anything else. Service errors of the
 * request itself (NoSuchKey, EntityNotFoundException, PreconditionFailed, ...) are the adapters'
 * to translate, and an abort is the caller's own doing: those stay untouched.
 */
export function unreachableReason(err: unknown): string | undefined {
  if (!(err instanceof Error) || err instanceof AppError || err.name === 'AbortError') return undefined
  const e = err as ErrorFields
  const attempts = e.$metadata?.attempts
  const tries = attempts && attempts > 1 ? ` after ${attempts} attempts` : ''
  if (err.name === 'TimeoutError' || e.code === 'ETIMEDOUT') return `no answer in time${tries}`
  if (typeof e.code === 'string' && NETWORK_CODES.has(e.code)) return `${e.code}${tries}`
  if (/socket hang up/i.test(err.message)) return `the connection closed${tries}`
  const status = e.$metadata?.httpStatusCode
  if (THROTTLING.has(err.name) || status === 429) return `it is throttling requests: ${err.name}${tries}`
  if ((status !== undefined && status >= 500) || (status === undefined && e.$fault === 'server')) {
    return `it answered ${status ?? 'a server error'} ${err.name}${tries}`
  }
  return undefined
}

/**
 * A middleware that turns a call that could not reach `service` into AppError UNAVAILABLE (503)
 * naming it. It sits in the initialize step, outside the SDK's retry (finalizeRequest), so it sees
 * only what survived the retries.
 */
export function unavailableMiddleware<I extends object, O extends object>(service: string): InitializeMiddleware<I, O> {
  return (next) => async (args: InitializeHandlerArguments<I>) => {
    try {
      return await next(args)
    } catch (err) {
      const reason = unreachableReason(err)
      if (reason === undefined) throw err
      throw new AppError('UNAVAILABLE', `${service} cannot be reached (${reason}); try again in a minute.`, { service }, { cause: err })
    }
  }
}

/** Adds the middleware to any SDK client: the process's clients and the tenant-scoped ones. */
export function reportUnavailable<I extends object, O extends object>(client: { middlewareStack: MiddlewareStack<I, O> }, service: string): void {
  client.middlewareStack.add(unavailableMiddleware<I, O>(service), { step: 'initialize', name: 'csvlakeUnavailable', override: true })
}
