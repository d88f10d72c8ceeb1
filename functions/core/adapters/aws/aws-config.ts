/**
 * aws mode's settings, read and checked once at start: every missing or malformed variable is
 * reported in one error, one line each with what it should look like, so an operator fixes the
 * deployment in one pass instead of one restart per variable.
 */

type Env = Record<string, string | undefined>

/** The services csvlake calls in aws mode; each has one SDK client per process. */
export type AwsService = 's3' | 'glue' | 'athena' | 'sfn' | 'sts'

/** The EKS cluster that runs csvlake's prepare image (as `ExecutionNames.eks` takes it). */
export type EksSettings = {
  clusterName: string
  endpoint: string
  certificateAuthority: string
  namespace: string
  serviceAccount: string
  image: string
}

export type AwsConfig = {
  region: string
  /** The partition (aws, aws-cn, aws-us-gov) and account of the tenant role: the ARNs of the session policy use them. */
  partition: string
  account: string
  bucket: string
  athena: {
    workGroup: string
    /** The most one query may scan; Athena's own floor for a workgroup's cutoff is 10 MB. */
    maxScannedBytes: number
  }
  ingestStateMachineArn: string
  crawlerRoleArn: string
  tenantRoleArn: string
  /** Each AWS call's connection and answer timeout, in milliseconds. */
  timeoutMs: number
  /** Attempts per AWS call, the first included (the SDK's bounded retry). */
  maxAttempts: number
  s3: {
    /**
     * An S3-compatible endpoint (AWS_ENDPOINT_URL_S3, else AWS_ENDPOINT_URL). Such servers rarely
     * serve virtual-hosted buckets or the SDK's default checksums, so the client adapts to them.
     */
    endpoint: string | undefined
    forcePathStyle: boolean
  }
  /** The SDK's own per-service endpoint variables, read here so they are checked with the rest. */
  endpoints: Partial<Record<Exclude<AwsService, 's3'>, string>>
  /** Absent when the deployment runs the prepare step elsewhere (all CSVLAKE_EKS_* unset). */
  eks: EksSettings | undefined
}

/**
 * Settings of local mode that aws mode does not read (the engines are Athena and Step Functions,
 * the data lives in S3): the README lists them and the start logs a warning for each one set.
 */
export const LOCAL_ONLY_SETTINGS = [
  { name: 'CSVLAKE_DATA_DIR', why: 'data lives in CSVLAKE_S3_BUCKET' },
  { name: 'CSVLAKE_QUERY_MEMORY_LIMIT', why: 'Athena sizes its own engines' },
  { name: 'CSVLAKE_QUERY_THREADS', why: 'Athena sizes its own engines' },
  { name: 'CSVLAKE_QUERY_PROCESS_MEMORY', why: 'no DuckDB sandbox processes run' },
  { name: 'CSVLAKE_QUERY_MAX_TEMP_BYTES', why: 'Athena spills on its own storage' },
  { name: 'CSVLAKE_QUERY_MAX_INSTANCES', why: 'no DuckDB sandbox processes run' },
  { name: 'CSVLAKE_QUERY_IDLE_MS', why: 'no DuckDB sandbox processes run' },
  { name: 'CSVLAKE_LOCAL_WAIT_MS', why: 'Step Functions runs the Wait states for their ASL seconds' },
] as const

/** The local-only settings this environment sets, for a warning at start. */
export function ignoredLocalSettings(env: Env): string[] {
  return LOCAL_ONLY_SETTINGS.filter(({ name }) => (env[name] ?? '') !== '').map(({ name }) => name)
}

const PARTITION = '(aws(?:-[a-z]+)*)'
const REGION = /^[a-z]{2}(?:-[a-z]+)+-\d{1,2}$/
const ACCOUNT = '(\\d{12})'
const ROLE_ARN = new RegExp(`^arn:${PARTITION}:iam::${ACCOUNT}:role/(?:[\\x21-\\x7e]*/)?[\\w+=,.@-]{1,64}$`)
const STATE_MACHINE_ARN = new RegExp(`^arn:${PARTITION}:states:([a-z]{2}(?:-[a-z]+)+-\\d{1,2}):${ACCOUNT}:stateMachine:[A-Za-z0-9_-]{1,80}(?::[A-Za-z0-9_-]{1,80})?$`)
const WORKGROUP = /^[A-Za-z0-9._-]{1,128}$/
const MB = 1e6

/** S3's rules for a general purpose bucket's name (S3 User Guide, "General purpose bucket naming rules"). */
export function bucketNameProblem(name: string): string | undefined {
  if (name.length < 3 || name.length > 63) return 'is not 3 to 63 characters long'
  if (!/^[a-z0-9.-]+$/.test(name)) return 'has characters other than lower-case letters, digits, "." and "-"'
  if (!/^[a-z0-9].*[a-z0-9]$/.test(name)) return 'does not begin and end with a letter or digit'
  if (name.includes('..')) return 'has two adjacent periods'
  if (/^\d{1,3}(\.\d{1,3}){3}$/.test(name)) return 'is formatted as an IP address'
  const prefix = ['xn--', 'sthree-', 'amzn-s3-demo-'].find((p) => name.startsWith(p))
  if (prefix) return `starts with the reserved prefix ${prefix}`
  const suffix = ['-s3alias', '--ol-s3', '.mrap', '--x-s3', '--table-s3'].find((s) => name.endsWith(s))
  if (suffix) return `ends with the reserved suffix ${suffix}`
  return undefined
}

/** Collects one line per problem while the settings are read, so all are reported together. */
class Problems {
  readonly lines: string[] = []

  constructor(private readonly env: Env) {}

  /** The trimmed value, or undefined (and a "missing" line when required). */
  read(name: string, shape: string, required: boolean): string | undefined {
    const value = this.env[name]?.trim()
    if (value) return value
    if (required) this.lines.push(`${name} is missing: ${shape}`)
    return undefined
  }

  malformed(name: string, raw: string, shape: string, why?: string): undefined {
    this.lines.push(`${name} ${why ?? 'is malformed'} (it is ${JSON.stringify(raw)}): ${shape}`)
    return undefined
  }

  /** A value checked by a pattern; the pattern's match, for its groups. */
  match(name: string, pattern: RegExp, shape: string, required = true): RegExpExecArray | undefined {
    const raw = this.read(name, shape, required)
    if (raw === undefined) return undefined
    return pattern.exec(raw) ?? this.malformed(name, raw, shape)
  }

  int(name: string, fallback: number, min: number, max: number, shape: string): number {
    const raw = this.read(name, shape, false)
    if (raw === undefined) return fallback
    const value = Number(raw)
    if (Number.isSafeInteger(value) && value >= min && value <= max) return value
    this.malformed(name, raw, shape)
    return fallback
  }
}

const SHAPES = {
  bucket: 'the bucket name, 3-63 lower-case letters, digits, "." or "-" (S3 naming rules), e.g. acme-csvlake',
  region: 'a region such as eu-west-1 (AWS_REGION, or AWS_DEFAULT_REGION)',
  workGroup: 'an Athena workgroup name, 1-128 letters, digits, ".", "_" or "-", e.g. csvlake',
  stateMachine: 'a state machine ARN, arn:aws:states:REGION:ACCOUNT:stateMachine:NAME',
  role: (what: string) => `an IAM role ARN, arn:aws:iam::ACCOUNT:role/NAME (${what})`,
  scanned: 'a size of at least 10MB, such as 10GB or 500MiB',
  timeout: 'milliseconds, a whole number from 100 to 600000',
  attempts: 'a whole number of attempts from 1 to 10, the first included',
  flag: '"true" or "false"',
  endpoint: 'an http(s) URL such as http://127.0.0.1:4569',
}

/** Reads and checks every aws-mode variable; throws one Error listing every problem, one per line. */
export function loadAwsConfig(env: Env): AwsConfig {
  const p = new Problems(env)

  const bucketRaw = p.read('CSVLAKE_S3_BUCKET', SHAPES.bucket, true)
  const bucketWhy = bucketRaw === undefined ? undefined : bucketNameProblem(bucketRaw)
  const bucket = bucketWhy ? p.malformed('CSVLAKE_S3_BUCKET', bucketRaw!, SHAPES.bucket, bucketWhy) : bucketRaw

  const region = readRegion(p, env)
  const workGroup = p.match('CSVLAKE_ATHENA_WORKGROUP', WORKGROUP, SHAPES.workGroup)?.[0]
  const stateMachine = p.match('CSVLAKE_INGEST_STATE_MACHINE_ARN', STATE_MACHINE_ARN, SHAPES.stateMachine)
  const crawlerRole = p.match('CSVLAKE_CRAWLER_ROLE_ARN', ROLE_ARN, SHAPES.role('the role Glue crawlers run as'))
  const tenantRole = p.match('CSVLAKE_TENANT_ROLE_ARN', ROLE_ARN, SHAPES.role("the role assumed, narrowed to one tenant, for each tenant's calls"))

  const maxScannedBytes = scannedBytes(p)
  const client = clientFields(p, region)
  const eks = eksSettings(p, env)

  if (p.lines.length > 0) {
    throw new Error(`CSVLAKE_MODE=aws cannot start; fix these settings:\n${p.lines.map((line) => `- ${line}`).join('\n')}`)
  }
  return {
    ...client,
    partition: tenantRole![1]!,
    account: tenantRole![2]!,
    bucket: bucket!,
    athena: { workGroup: workGroup!, maxScannedBytes },
    ingestStateMachineArn: stateMachine![0],
    crawlerRoleArn: crawlerRole![0],
    tenantRoleArn: tenantRole![0],
    eks,
  }
}

/** What the SDK clients are made from (createAwsClients): the region, timeouts, retries and endpoints. */
export type AwsClientConfig = Pick<AwsConfig, 'region' | 'timeoutMs' | 'maxAttempts' | 's3' | 'endpoints'>

/**
 * The client settings alone, read as loadAwsConfig reads them: for a program that needs the
 * clients but none of the functions' settings (the prepare image's Jobs). `what` names it in the
 * error, which lists every problem.
 */
export function loadAwsClientConfig(env: Env, what: string): AwsClientConfig {
  const p = new Problems(env)
  const client = clientFields(p, readRegion(p, env))
  if (p.lines.length > 0) throw new Error(`${what} cannot start; fix these settings:\n${p.lines.map((line) => `- ${line}`).join('\n')}`)
  return client
}

function readRegion(p: Problems, env: Env): string | undefined {
  const name = !env.AWS_REGION?.trim() && env.AWS_DEFAULT_REGION?.trim() ? 'AWS_DEFAULT_REGION' : 'AWS_REGION'
  return p.match(name, REGION, SHAPES.region)?.[0]
}

function clientFields(p: Problems, region: string | undefined): AwsClientConfig {
  const timeoutMs = p.int('CSVLAKE_AWS_TIMEOUT_MS', 10_000, 100, 600_000, SHAPES.timeout)
  const maxAttempts = p.int('CSVLAKE_AWS_MAX_ATTEMPTS', 3, 1, 10, SHAPES.attempts)
  const s3Endpoint = endpoint(p, 'AWS_ENDPOINT_URL_S3') ?? endpoint(p, 'AWS_ENDPOINT_URL')
  const pathStyle = flag(p, 'CSVLAKE_S3_FORCE_PATH_STYLE')
  const endpoints: AwsConfig['endpoints'] = {}
  for (const service of ['glue', 'athena', 'sfn', 'sts'] as const) {
    const url = endpoint(p, `AWS_ENDPOINT_URL_${service.toUpperCase()}`) ?? endpoint(p, 'AWS_ENDPOINT_URL')
    if (url) endpoints[service] = url
  }
  return { region: region ?? '', timeoutMs, maxAttempts, s3: { endpoint: s3Endpoint, forcePathStyle: pathStyle ?? s3Endpoint !== undefined }, endpoints }
}

function scannedBytes(p: Problems): number {
  const name = 'CSVLAKE_ATHENA_MAX_SCANNED_BYTES'
  const raw = p.read(name, SHAPES.scanned, false)
  if (raw === undefined) return 10 * 1024 ** 3
  const bytes = sizeOf(raw)
  if (bytes !== undefined && bytes >= 10 * MB) return bytes
  p.malformed(name, raw, SHAPES.scanned)
  return 0
}

/** A size as bytes or with a unit, as config.ts reads local sizes: 10GB, 500MiB, 1.5TB. */
function sizeOf(raw: string): number | undefined {
  const match = /^(\d+(?:\.\d+)?)\s*(b|bytes|kb|kib|mb|mib|gb|gib|tb|tib)?$/i.exec(raw)
  if (!match) return undefined
  const unit = (match[2] ?? 'b').toLowerCase()
  const scale = { b: 1, bytes: 1, kb: 1e3, kib: 1024, mb: 1e6, mib: 1024 ** 2, gb: 1e9, gib: 1024 ** 3, tb: 1e12, tib: 1024 ** 4 }[unit]!
  return Math.floor(Number(match[1]) * scale)
}

function flag(p: Problems, name: string): boolean | undefined {
  const raw = p.read(name, SHAPES.flag, false)
  if (raw === undefined) return undefined
  if (/^(true|1|yes)$/i.test(raw)) return true
  if (/^(false|0|no)$/i.test(raw)) return false
  return p.malformed(name, raw, SHAPES.flag)
}

function endpoint(p: Problems, name: string): string | undefined {
  const raw = p.read(name, SHAPES.endpoint, false)
  if (raw === undefined) return undefined
  try {
    const url = new URL(raw)
    if (url.protocol === 'http:' || url.protocol === 'https:') return raw
  } catch {
    // reported below
  }
  return p.malformed(name, raw, SHAPES.endpoint)
}

const EKS_VARIABLES = {
  clusterName: ['CSVLAKE_EKS_CLUSTER', 'the EKS cluster name, e.g. csvlake'],
  endpoint: ['CSVLAKE_EKS_ENDPOINT', "the cluster's API endpoint, an https URL"],
  certificateAuthority: ['CSVLAKE_EKS_CA_DATA', "the cluster's certificate authority data (base64), as DescribeCluster answers it"],
  namespace: ['CSVLAKE_EKS_NAMESPACE', 'the Kubernetes namespace the prepare Jobs run in'],
  serviceAccount: ['CSVLAKE_EKS_SERVICE_ACCOUNT', 'the Kubernetes service account of the prepare Jobs'],
  image: ['CSVLAKE_EKS_IMAGE', "the prepare image's reference, e.g. ACCOUNT.dkr.ecr.REGION.amazonaws.com/csvlake-prepare:TAG"],
} as const satisfies Record<keyof EksSettings, readonly [string, string]>

/** Optional as a group: none set means no EKS; some set means all are needed. */
function eksSettings(p: Problems, env: Env): EksSettings | undefined {
  const entries = Object.entries(EKS_VARIABLES) as [keyof EksSettings, readonly [string, string]][]
  if (entries.every(([, [name]]) => !env[name]?.trim())) return undefined
  const settings: Partial<EksSettings> = {}
  for (const [key, [name, shape]] of entries) {
    const value = p.read(name, `${shape} (the CSVLAKE_EKS_* settings go together)`, true)
    if (value !== undefined) settings[key] = value
  }
  if (settings.endpoint !== undefined && !/^https:\/\/\S+$/.test(settings.endpoint)) {
    p.malformed('CSVLAKE_EKS_ENDPOINT', settings.endpoint, EKS_VARIABLES.endpoint[1])
  }
  return settings as EksSettings
}
