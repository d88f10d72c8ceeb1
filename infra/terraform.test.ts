import { spawnSync } from 'node:child_process'
import { existsSync, readdirSync, readFileSync } from 'node:fs'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { beforeAll, describe, expect, it } from 'vitest'
import { FUNCTIONS } from '../deploy/routing.ts'
import { tenantSessionPolicy } from '../functions/core/adapters/aws/tenant-session-policy.ts'
import { tenantId } from '../functions/core/tenant.ts'
import { allowedActions, loadConfiguration, moduleCallProblems, statementsOf, unresolvedReferences, type Block, type TfModule } from './hcl.ts'
import { adapterFiles, functionBuildsAwsServices, roleActions, sdkOperations, stateMachineActions, type RoleActions } from './iam-actions.ts'

const INFRA = dirname(fileURLToPath(import.meta.url))
const ROOT = resolve(INFRA, '..')

let config: Map<string, TfModule>
let bootstrap: Map<string, TfModule>
let root: TfModule
let derived: RoleActions
const mod = (name: string) => config.get(join(INFRA, 'modules', name))!

beforeAll(async () => {
  config = await loadConfiguration(INFRA)
  bootstrap = await loadConfiguration(join(INFRA, 'bootstrap'))
  root = config.get(INFRA)!
  const files = adapterFiles(ROOT, readdirSync).map((file) => ({ file, text: readFileSync(file, 'utf8') }))
  derived = roleActions(files, await sdkOperations())
}, 60_000)

const resources = (m: TfModule, type: string) => Object.entries(m.resources[type] ?? {})
const policyDoc = (m: TfModule, name: string): Block => {
  const doc = m.data.aws_iam_policy_document?.[name]
  if (!doc) throw new Error(`${m.dir}: no aws_iam_policy_document.${name}`)
  return doc
}
const everyModule = () => [...config.values(), ...bootstrap.values()]

describe('the Terraform parses and holds together (hcl2json; no provider or network needed)', () => {
  it('loads the root module, every module it calls, and bootstrap/', () => {
    const called = Object.values(root.modules).map((m) => resolve(INFRA, String(m.source)))
    expect(called.length).toBeGreaterThanOrEqual(10)
    for (const dir of called) expect(config.has(dir), dir).toBe(true)
    expect(bootstrap.get(join(INFRA, 'bootstrap'))!.resources.aws_s3_bucket).toBeDefined()
  })

  it('every referenced variable, local, module output, data source and resource is declared', async () => {
    const problems: string[] = []
    for (const m of everyModule()) problems.push(...(await unresolvedReferences(m, config)))
    expect(problems).toEqual([])
  })

  it('every module call sets only variables the module declares, and all it requires', () => {
    expect([...config.values()].flatMap((m) => moduleCallProblems(m, config))).toEqual([])
  })

  it('every variable and output has a description', () => {
    const missing = everyModule().flatMap((m) => [
      ...Object.entries(m.variables).filter(([, b]) => !b.description).map(([n]) => `${m.dir} variable ${n}`),
      ...Object.entries(m.outputs).filter(([, b]) => !b.description).map(([n]) => `${m.dir} output ${n}`),
    ])
    expect(missing).toEqual([])
  })

  it('deploys one role, service account and image per function of deploy/routing.ts, plus the web and prepare images', () => {
    expect(root.locals.functions).toEqual([...FUNCTIONS])
    const images = String(root.locals.images)
    expect(images).toContain('for f in local.functions : "${var.name}-${f}"')
    expect(images).toContain('"${var.name}-web"')
    expect(images).toContain('"${var.name}-prepare"')
    expect(root.modules.ecr!.repositories).toBe('${local.images}')
    expect(root.modules.access!.functions).toBe('${local.functions}')
  })
})

describe('the data bucket', () => {
  const storage = () => mod('storage')
  const about = (type: string) => {
    const found = resources(storage(), type)
    expect(found.map(([, b]) => b.bucket), type).toEqual(['${aws_s3_bucket.data.id}'])
    return found[0]![1]
  }

  it('is encrypted by default', () => {
    const rule = (about('aws_s3_bucket_server_side_encryption_configuration').rule as Block[])[0]!
    const algorithm = ((rule.apply_server_side_encryption_by_default as Block[])[0]!).sse_algorithm
    expect(['AES256', 'aws:kms', 'aws:kms:dsse']).toContain(algorithm)
  })

  it('is versioned', () => {
    const versioning = (about('aws_s3_bucket_versioning').versioning_configuration as Block[])[0]!
    expect(versioning.status).toBe('Enabled')
  })

  it('is not public: every public-access block is on, no ACL grants, and its policy allows nobody', () => {
    const block = about('aws_s3_bucket_public_access_block')
    for (const key of ['block_public_acls', 'block_public_policy', 'ignore_public_acls', 'restrict_public_buckets']) expect(block[key], key).toBe(true)
    expect(storage().resources.aws_s3_bucket_acl).toBeUndefined()
    expect(about('aws_s3_bucket_ownership_controls').rule).toEqual([{ object_ownership: 'BucketOwnerEnforced' }])
    const policy = about('aws_s3_bucket_policy')
    const doc = String(policy.policy).match(/^\$\{data\.aws_iam_policy_document\.(\w+)\.json\}$/)?.[1]
    expect(doc).toBeDefined()
    for (const s of statementsOf(policyDoc(storage(), doc!))) expect(s.effect, 'only Deny statements').toBe('Deny')
  })

  it('expires staging/, athena-results/, results/ and incomplete multipart uploads by lifecycle rules', () => {
    const lifecycle = about('aws_s3_bucket_lifecycle_configuration')
    const expiring = storage().locals.expiring as Record<string, { prefix: string; days: string }>
    expect(Object.values(expiring).map((e) => e.prefix).sort()).toEqual(['athena-results/', 'results/', 'staging/'])
    const dynamic = (lifecycle.dynamic as Block).rule as Block[]
    expect(dynamic[0]!.for_each).toBe('${local.expiring}')
    const content = (dynamic[0]!.content as Block[])[0]!
    expect(content.filter).toEqual([{ prefix: '${rule.value.prefix}' }])
    expect(content.expiration).toEqual([{ days: '${rule.value.days}' }])
    const rules = lifecycle.rule as Block[]
    const abort = rules.find((r) => r.abort_incomplete_multipart_upload)
    expect(abort?.filter, 'the multipart rule covers the whole bucket').toEqual([{}])
  })

  it('every bucket of the configuration, not only the data bucket, is encrypted and blocks public access', () => {
    for (const m of everyModule()) {
      for (const [name] of resources(m, 'aws_s3_bucket')) {
        const ref = `\${aws_s3_bucket.${name}.id}`
        for (const type of ['aws_s3_bucket_server_side_encryption_configuration', 'aws_s3_bucket_public_access_block']) {
          expect(resources(m, type).some(([, b]) => b.bucket === ref), `${m.dir} ${name} ${type}`).toBe(true)
        }
      }
    }
  })
})

describe('IAM', () => {
  const allDocs = () => everyModule().flatMap((m) => Object.entries(m.data.aws_iam_policy_document ?? {}).map(([name, doc]) => ({ where: `${m.dir} ${name}`, doc })))

  it('no statement allows every action, or a whole service, on every resource', () => {
    const loose = allDocs().flatMap(({ where, doc }) =>
      statementsOf(doc)
        .filter((s) => (s.effect ?? 'Allow') === 'Allow')
        .filter((s) => (s.actions ?? []).some((a) => a === '*' || a.endsWith(':*')) && (s.resources ?? []).includes('*'))
        .map((s) => `${where}: ${(s.actions ?? []).join(',')}`),
    )
    expect(loose).toEqual([])
    const anyAction = allDocs().filter(({ doc }) => statementsOf(doc).some((s) => (s.effect ?? 'Allow') === 'Allow' && (s.actions ?? []).includes('*')))
    expect(anyAction.map((d) => d.where)).toEqual([])
  })

  it('no policy is written as inline JSON, where these checks could not read it', () => {
    for (const m of everyModule()) {
      for (const type of ['aws_iam_role_policy', 'aws_iam_policy']) {
        for (const [name, b] of resources(m, type)) expect(String(b.policy), `${m.dir} ${type}.${name}`).toMatch(/^\$\{data\.aws_iam_policy_document\.\w+(\[[^\]]+\])?\.json\}$/)
      }
    }
  })
})

describe("each role allows exactly the actions its code calls (derived by infra/iam-actions.ts from the SDK calls and the ASL)", () => {
  const access = () => mod('access')

  it('finds the calls it derives from (a scan that found nothing would make every check below vacuous)', () => {
    const found = new Set(derived.calls.map((c) => `${c.service}:${c.operation}`))
    for (const call of ['s3:GetObject', 's3:CreateMultipartUpload', 'sfn:StartExecution', 'sts:AssumeRole', 'glue:CreateDatabase', 'athena:StartQueryExecution']) expect(found).toContain(call)
  })

  it('a role per function, for the service account csvlake-<function>, trusting the cluster OIDC provider', () => {
    const role = access().resources.aws_iam_role!.function!
    expect(role.for_each).toBe('${toset(var.functions)}')
    const trust = statementsOf(access().data.aws_iam_policy_document!.function_trust!)
    expect(trust).toHaveLength(1)
    expect(trust[0]!.actions).toEqual(['sts:AssumeRoleWithWebIdentity'])
    expect(trust[0]!.principals).toEqual([{ type: 'Federated', identifiers: ['${var.oidc_provider_arn}'] }])
    expect(trust[0]!.condition).toContainEqual({ test: 'StringEquals', variable: '${var.oidc_issuer}:sub', values: ['system:serviceaccount:${var.namespace}:${var.name}-${each.key}'] })
  })

  it("each function's role allows exactly the calls of the adapters it builds (S3, Step Functions, STS)", () => {
    const policy = access().resources.aws_iam_role_policy!.function!
    expect(policy.for_each).toBe('${aws_iam_role.function}')
    expect(policy.policy).toBe('${data.aws_iam_policy_document.function.json}')
    for (const fn of FUNCTIONS) expect(functionBuildsAwsServices(ROOT, fn), fn).toBe(true)
    expect(allowedActions(policyDoc(access(), 'function'))).toEqual(derived.function)
  })

  it("the tenant role allows exactly the Glue and Athena calls made with a tenant's credentials, and what Athena does with them", () => {
    expect(access().resources.aws_iam_role_policy!.tenant!.policy).toBe('${data.aws_iam_policy_document.tenant.json}')
    expect(allowedActions(policyDoc(access(), 'tenant'))).toEqual(derived.tenant)
    expect(derived.tenant).toContain('glue:CreateDatabase')
  })

  it('the tenant role trusts the function roles only', () => {
    const trust = statementsOf(policyDoc(access(), 'tenant_trust'))
    expect(trust).toEqual([{ actions: ['sts:AssumeRole'], principals: [{ type: 'AWS', identifiers: '${[for role in aws_iam_role.function : role.arn]}' }] }])
  })

  it("the tenant session policy (tenant-session-policy.ts) allows every action the tenant role's calls need, so no call is refused by the narrowing", () => {
    const policy = JSON.parse(tenantSessionPolicy(tenantId('acme'), { partition: 'aws', region: 'eu-west-1', account: '444455556666', bucket: 'csvlake-data', workGroup: 'csvlake' })) as {
      Statement: { Effect: string; Action: string | string[] }[]
    }
    const patterns = policy.Statement.filter((s) => s.Effect === 'Allow').flatMap((s) => [s.Action].flat())
    const allows = (action: string) => patterns.some((p) => new RegExp(`^${p.replace(/[.+?^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*')}$`, 'i').test(action))
    expect(derived.tenant.filter((a) => !allows(a))).toEqual([])
  })

  it("the state machine's definition is statemachines/ingest.asl.json itself", () => {
    const machine = mod('ingest').resources.aws_sfn_state_machine!.ingest!
    expect(machine.definition).toBe('${file("${path.root}/../statemachines/ingest.asl.json")}')
    // path.root is infra/, where `terraform apply` runs.
    expect(existsSync(resolve(INFRA, '../statemachines/ingest.asl.json'))).toBe(true)
  })

  it("the state machine's role allows exactly what the ASL's Task states call, and passes only the crawler role, only to Glue", () => {
    const ingest = mod('ingest')
    expect(ingest.resources.aws_iam_role_policy!.tasks!.policy).toBe('${data.aws_iam_policy_document.tasks.json}')
    const asl = JSON.parse(readFileSync(join(ROOT, 'statemachines/ingest.asl.json'), 'utf8'))
    expect(allowedActions(policyDoc(ingest, 'tasks'))).toEqual(stateMachineActions(asl))
    const pass = statementsOf(policyDoc(ingest, 'tasks')).filter((s) => s.actions?.includes('iam:PassRole'))
    expect(pass).toHaveLength(1)
    expect(pass[0]!.resources).toEqual(['${var.crawler_role_arn}'])
    expect(pass[0]!.condition).toEqual([{ test: 'StringEquals', variable: 'iam:PassedToService', values: ['glue.amazonaws.com'] }])
    expect(root.modules.ingest!.crawler_role_arn).toBe('${module.catalog.crawler_role_arn}')
  })

  it('the crawler role is Glue service role plus reads of staging/ only', () => {
    const catalog = mod('catalog')
    expect(String(catalog.resources.aws_iam_role_policy_attachment!.crawler_service!.policy_arn)).toMatch(/service-role\/AWSGlueServiceRole$/)
    const s3 = statementsOf(policyDoc(catalog, 'crawler_s3'))
    expect(allowedActions(policyDoc(catalog, 'crawler_s3'))).toEqual(['s3:GetObject', 's3:ListBucket'])
    expect(s3.find((s) => s.actions?.includes('s3:GetObject'))!.resources).toEqual(['${var.bucket_arn}/staging/*'])
  })
})

describe('the Athena workgroup', () => {
  it("does not enforce its configuration (csvlake sets each tenant's OutputLocation), writes to athena-results/ and bounds the bytes a query scans", () => {
    const wg = mod('catalog').resources.aws_athena_workgroup!.this!
    const conf = (wg.configuration as Block[])[0]!
    expect(conf.enforce_workgroup_configuration).toBe(false)
    expect(conf.bytes_scanned_cutoff_per_query).toBe('${var.bytes_scanned_cutoff}')
    expect((conf.result_configuration as Block[])[0]!.output_location).toBe('s3://${var.bucket_name}/athena-results/')
  })
})

describe('outputs', () => {
  it('give every setting aws-config.ts requires, by its variable name', () => {
    const source = readFileSync(join(ROOT, 'functions/core/adapters/aws/aws-config.ts'), 'utf8')
    const required = [
      ...[...source.matchAll(/p\.match\('([A-Z0-9_]+)'/g)].map((m) => m[1]!),
      ...[...source.matchAll(/p\.read\('([A-Z0-9_]+)', [^)]*, true\)/g)].map((m) => m[1]!),
      ...[...source.matchAll(/\['(CSVLAKE_EKS_[A-Z_]+)'/g)].map((m) => m[1]!),
    ]
    expect(required).toEqual(expect.arrayContaining(['CSVLAKE_S3_BUCKET', 'CSVLAKE_TENANT_ROLE_ARN', 'CSVLAKE_EKS_CLUSTER']))
    const settings = Object.keys(root.locals.app_settings as Record<string, unknown>)
    const described = Object.values(root.outputs).map((o) => String(o.description))
    for (const name of required) {
      const given = settings.includes(name) || described.some((d) => d.startsWith(`${name}`))
      expect(given, name).toBe(true)
    }
    expect(root.outputs.app_settings!.value).toBe('${local.app_settings}')
  })
})

describe('terraform fmt', () => {
  const terraform = spawnSync('terraform', ['version'], { encoding: 'utf8' })
  it.skipIf(terraform.error !== undefined)('reports no file to reformat (terraform fmt -check -recursive infra)', () => {
    // fmt needs no providers and no network; the CLI may warn about a missing ~/.terraformrc.
    const run = spawnSync('terraform', ['fmt', '-check', '-recursive', '-list=true', INFRA], { encoding: 'utf8' })
    expect(run.stdout.trim(), run.stderr).toBe('')
    expect(run.status).toBe(0)
  })
  if (terraform.error) it.skip(`terraform is not on the PATH (${terraform.error.message}): fmt -check not run`, () => {})
})
