import type { ServiceName } from '../deploy/routing.ts'

/**
 * How one Knative Service is sized and bounded, with the reason for each figure. These are the
 * base (aws mode) values; the overlays change scale bounds and resources, never the routing.
 */
export type ServiceSettings = {
  /** autoscaling.knative.dev/max-scale: the most replicas; min-scale is 0 for every service. */
  maxScale: number
  /** autoscaling.knative.dev/target: in-flight requests per replica the autoscaler aims for (soft). */
  target: number
  /** containerConcurrency: the hard cap per replica (0: none); the activator queues past it. */
  containerConcurrency: number
  /** The whole request, first byte in to last byte out (Knative's revision timeout). */
  timeoutSeconds: number
  /** Until the first byte of the answer; unset means timeoutSeconds. */
  responseStartTimeoutSeconds?: number
  resources: { requests: { cpu: string; memory: string }; limits: { cpu: string; memory: string } }
  /** The emptyDir at /tmp (TMPDIR, NODE_COMPILE_CACHE): nothing else on the file system is writable. */
  tmpSize: string
  why: string
}

/**
 * Knative's default ceiling for timeoutSeconds (config-defaults `max-revision-timeout-seconds`).
 * A longer upload timeout needs that setting raised in the cluster (see README.md).
 */
export const MAX_REVISION_TIMEOUT_SECONDS = 600

/**
 * Every AWS call gives up after CSVLAKE_AWS_TIMEOUT_MS (10 s) x CSVLAKE_AWS_MAX_ATTEMPTS (3) and the
 * function answers a 503 naming the service. A request timeout above that lets the caller get that
 * answer instead of the platform's bare 504.
 */
const AWS_GIVE_UP_SECONDS = 30

const small = { requests: { cpu: '50m', memory: '128Mi' }, limits: { cpu: '1', memory: '256Mi' } }

export const SERVICE_SETTINGS: Record<ServiceName, ServiceSettings> = {
  docs: {
    maxScale: 3,
    target: 100,
    containerConcurrency: 0,
    timeoutSeconds: 30,
    resources: { requests: { cpu: '50m', memory: '96Mi' }, limits: { cpu: '1', memory: '192Mi' } },
    tmpSize: '64Mi',
    why: 'The OpenAPI document (built once, then cached) and the Swagger UI files: cheap, rarely asked for.',
  },
  files: {
    maxScale: 5,
    target: 50,
    containerConcurrency: 0,
    timeoutSeconds: 60,
    resources: small,
    tmpSize: '64Mi',
    why: 'Lists a page of files and deletes one (a few S3 calls): waits on S3, little memory per request.',
  },
  health: {
    maxScale: 3,
    target: 100,
    containerConcurrency: 0,
    timeoutSeconds: AWS_GIVE_UP_SECONDS + 15,
    resources: { requests: { cpu: '25m', memory: '96Mi' }, limits: { cpu: '500m', memory: '160Mi' } },
    tmpSize: '64Mi',
    why: "Liveness and the browser's sign-in settings (/api/config): answered from memory.",
  },
  'job-status': {
    maxScale: 5,
    target: 100,
    containerConcurrency: 0,
    timeoutSeconds: 60,
    resources: small,
    tmpSize: '64Mi',
    why: "The job page polls it: each answer reads an execution's history from Step Functions, paged - waiting, not working.",
  },
  preview: {
    maxScale: 10,
    target: 20,
    containerConcurrency: 40,
    timeoutSeconds: AWS_GIVE_UP_SECONDS + 15,
    resources: { requests: { cpu: '100m', memory: '128Mi' }, limits: { cpu: '1', memory: '256Mi' } },
    tmpSize: '64Mi',
    why:
      'Short: one ranged GET of at most 1 MiB and a parse of its rows (5-9 ms measured locally, whatever the file size). ' +
      "The timeout only has to outlast S3's own give-up, so a stuck S3 answers with the function's 503.",
  },
  query: {
    maxScale: 10,
    target: 50,
    containerConcurrency: 0,
    timeoutSeconds: MAX_REVISION_TIMEOUT_SECONDS,
    responseStartTimeoutSeconds: 60 + AWS_GIVE_UP_SECONDS,
    resources: { requests: { cpu: '100m', memory: '192Mi' }, limits: { cpu: '1', memory: '384Mi' } },
    tmpSize: '128Mi',
    why:
      'aws mode: Athena runs the SQL, so a replica mostly waits (waitMs up to 60 s by the API) - many requests each, little CPU; ' +
      'a page of a small result is at most 4 MiB of JSON in memory. The answer must start within the 60 s wait plus ' +
      "AWS's give-up; the whole request may last up to Knative's default ceiling because a CSV export (up to 2 GiB) " +
      'streams from S3 through the function. In local mode DuckDB would need CSVLAKE_QUERY_PROCESS_MEMORY per tenant sandbox: not a target here.',
  },
  submit: {
    maxScale: 5,
    target: 20,
    containerConcurrency: 0,
    timeoutSeconds: 60,
    resources: small,
    tmpSize: '64Mi',
    why: 'aws mode: starts one Step Functions execution per job (the ingest runs there and on EKS Jobs, not here). Local mode would run DuckDB here.',
  },
  tables: {
    maxScale: 5,
    target: 50,
    containerConcurrency: 0,
    timeoutSeconds: 60,
    resources: small,
    tmpSize: '64Mi',
    why: 'Reads and drops Glue tables of the tenant: a few catalog calls per request.',
  },
  upload: {
    maxScale: 20,
    target: 4,
    containerConcurrency: 6,
    timeoutSeconds: MAX_REVISION_TIMEOUT_SECONDS,
    resources: { requests: { cpu: '250m', memory: '320Mi' }, limits: { cpu: '2', memory: '512Mi' } },
    tmpSize: '64Mi',
    why:
      'Streams up to 5 GiB into an S3 multipart upload; each upload holds at most 5 parts of 8 MiB (+39 MiB measured), ' +
      'so 6 at once stay under the limit. 5 GiB takes ~26 s at the ~200 MiB/s measured locally, but minutes over the ' +
      "internet: Knative's default ceiling (600 s) covers 5 GiB at >= 8.6 MiB/s; slower clients need the cluster's ceiling raised (README).",
  },
  web: {
    maxScale: 5,
    target: 200,
    containerConcurrency: 0,
    timeoutSeconds: 30,
    resources: { requests: { cpu: '25m', memory: '64Mi' }, limits: { cpu: '500m', memory: '128Mi' } },
    tmpSize: '16Mi',
    why: "The web's static export (HTML, JS, CSS): small files, no state, no AWS access.",
  },
}

/** Where the deployment lives and how the public Gateway reaches Knative's cluster-local services. */
export type IngressSettings = {
  namespace: string
  /** The GatewayClass of the public Gateway (Istio's Gateway API implementation). */
  gatewayClassName: string
  /** The Service in front of Knative's cluster-local gateway (net-gateway-api's `local-gateways` entry). */
  localGateway: { namespace: string; name: string; port: number }
  clusterDomain: string
}

export const INGRESS: IngressSettings = {
  namespace: 'csvlake',
  gatewayClassName: 'istio',
  localGateway: { namespace: 'istio-system', name: 'knative-local-gateway', port: 80 },
  clusterDomain: 'cluster.local',
}
