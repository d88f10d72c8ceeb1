import { z } from '../core/zod.ts'
import { keys } from '../core/keys.ts'
import { tenantId, type TenantId } from '../core/tenant.ts'

/** The steps of the ingest state machine the prepare image runs (the Job's args: `ingest stage|convert|columnar`). */
export type PrepareStep = 'stage' | 'convert' | 'columnar'

const STEPS: readonly string[] = ['stage', 'convert', 'columnar']

/** What one prepare Job works on: its step, its tenant and job, and the names the execution derived (CSVLAKE_NAMES). */
export type PrepareJob = { step: PrepareStep; tenant: TenantId; jobId: string; names: JobNames }

const name = () => z.string().check(z.minLength(1))
const bytes = () => z.int().check(z.minimum(1))
const JobNames = z.object({
  bucket: name(),
  stagedKey: name(),
  outcomeKey: name(),
  partKey: name(),
  stagingDatabase: name(),
  crawledTable: name(),
  prepare: z.object({ region: name(), maxUploadBytes: bytes(), quotaBytes: z.optional(bytes()) }),
})
export type JobNames = z.infer<typeof JobNames>

const USAGE = 'usage: prepare ingest stage|convert|columnar, with CSVLAKE_TENANT, CSVLAKE_JOB_ID and CSVLAKE_NAMES set (the ingest state machine sets them)'

/**
 * The Job's arguments and environment, checked: the names must be those of this tenant's job
 * (the keys it writes are under the tenant's staging/ and lake/ folders), so a Job started with
 * names of another tenant or job writes nothing. Throws one Error saying what is wrong.
 */
export function prepareJobFrom(argv: readonly string[], env: Record<string, string | undefined>): PrepareJob {
  const [group, step] = argv
  if (group !== 'ingest' || step === undefined || !STEPS.includes(step) || argv.length !== 2) throw new Error(`Unknown arguments ${JSON.stringify(argv)}; ${USAGE}`)
  const missing = ['CSVLAKE_TENANT', 'CSVLAKE_JOB_ID', 'CSVLAKE_NAMES'].filter((name) => !env[name])
  if (missing.length) throw new Error(`${missing.join(', ')} ${missing.length === 1 ? 'is' : 'are'} not set; ${USAGE}`)
  const tenant = tenantId(env.CSVLAKE_TENANT!)
  const jobId = env.CSVLAKE_JOB_ID!
  if (!/^[A-Za-z0-9_-]{1,80}$/.test(jobId)) throw new Error(`CSVLAKE_JOB_ID ${JSON.stringify(jobId)} is not a job id`)
  let raw: unknown
  try {
    raw = JSON.parse(env.CSVLAKE_NAMES!)
  } catch {
    throw new Error('CSVLAKE_NAMES is not JSON; it is the execution input\'s "names", as the state machine passes it')
  }
  const parsed = JobNames.safeParse(raw)
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => `${issue.path.join('.') || 'names'}: ${issue.message}`)
    throw new Error(`CSVLAKE_NAMES lacks what the prepare step needs (${problems.join('; ')})`)
  }
  const names = parsed.data
  const stagingDir = keys.stagingDir(tenant, jobId)
  const ours = names.stagedKey === keys.staging(tenant, jobId) && names.outcomeKey === `${stagingDir}outcome.json` && names.partKey.startsWith(keys.lakeTenant(tenant)) && names.partKey.endsWith(`/ingest_job=${jobId}/data.parquet`)
  if (!ours) throw new Error(`CSVLAKE_NAMES are not those of job ${jobId} of tenant ${tenant}: refusing to write outside its staging/ and lake/ folders`)
  return { step: step as PrepareStep, tenant, jobId, names }
}
