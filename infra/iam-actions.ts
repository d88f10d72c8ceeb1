import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import ts from 'typescript'

/**
 * The IAM actions csvlake's code needs, derived from the code itself: the AWS SDK calls in
 * functions/core/adapters/aws/*.ts (the only files that call AWS) and the Task states of
 * statemachines/ingest.asl.json. infra/terraform.test.ts compares the role policies in the HCL
 * with these sets, so a new SDK call without its permission (or a permission nothing calls any
 * more) fails a test instead of an ingest in production.
 *
 * What is written by hand here is only how an API operation maps to IAM, where the two differ:
 * S3's operation-to-action table (Service Authorization Reference, "Actions, resources, and
 * condition keys for Amazon S3") and what a service does with the caller's credentials (Athena
 * reads Glue and S3 as the caller; Glue's CreateCrawler passes a role).
 */

/** The services csvlake calls, by the SDK's package name (@aws-sdk/client-<service>). */
export type Service = 's3' | 'glue' | 'athena' | 'sfn' | 'sts'
export const SERVICES: readonly Service[] = ['s3', 'glue', 'athena', 'sfn', 'sts']

/** Each service's operations (PascalCase, as the SDK names its commands). */
export type Operations = Record<Service, ReadonlySet<string>>

/** One SDK call found in the source: `new GetObjectCommand(`, `glue.getTable(`, `new Upload(`. */
export type SdkCall = { file: string; service: Service; operation: string }

const IAM_PREFIX: Record<Service, string> = { s3: 's3', glue: 'glue', athena: 'athena', sfn: 'states', sts: 'sts' }

/** S3 operations whose IAM action has another name (most are `s3:<Operation>`). */
const S3_ACTIONS: Record<string, readonly string[]> = {
  HeadObject: ['s3:GetObject'],
  HeadBucket: ['s3:ListBucket'],
  ListObjects: ['s3:ListBucket'],
  ListObjectsV2: ['s3:ListBucket'],
  ListObjectVersions: ['s3:ListBucketVersions'],
  DeleteObjects: ['s3:DeleteObject'],
  CreateMultipartUpload: ['s3:PutObject'],
  UploadPart: ['s3:PutObject'],
  CompleteMultipartUpload: ['s3:PutObject'],
  CopyObject: ['s3:GetObject', 's3:PutObject'],
  ListParts: ['s3:ListMultipartUploadParts'],
}

/** lib-storage's Upload: PutObject for a small body, else the multipart calls (aborted on failure). */
const UPLOAD_OPERATIONS = ['PutObject', 'CreateMultipartUpload', 'UploadPart', 'CompleteMultipartUpload', 'AbortMultipartUpload']

/**
 * Actions a call needs beyond its own, because the service acts with the caller's credentials:
 * Athena reads the table's catalog entry and files and writes the result (Athena User Guide,
 * "Access to the AWS Glue Data Catalog" and "Amazon S3 access"); CreateCrawler passes its Role.
 */
const ON_CALLERS_BEHALF: Record<string, readonly string[]> = {
  'athena:StartQueryExecution': ['glue:GetDatabase', 'glue:GetTable', 's3:GetObject', 's3:ListBucket', 's3:GetBucketLocation', 's3:PutObject', 's3:AbortMultipartUpload'],
  'glue:CreateCrawler': ['iam:PassRole'],
}

/** The IAM actions of one API operation, its own and those taken on the caller's behalf. */
export function iamActionsOf(service: Service, operation: string): string[] {
  const own = service === 's3' && S3_ACTIONS[operation] ? [...S3_ACTIONS[operation]] : [`${IAM_PREFIX[service]}:${operation}`]
  return [...own, ...own.flatMap((action) => ON_CALLERS_BEHALF[action] ?? [])]
}

/** Each service's operations, read from the installed SDK packages (their `<Operation>Command` exports). */
export async function sdkOperations(): Promise<Operations> {
  const entries = await Promise.all(
    SERVICES.map(async (service) => {
      const sdk = (await import(`@aws-sdk/client-${service}`)) as Record<string, unknown>
      const names = Object.keys(sdk).filter((name) => /^[A-Z]\w*Command$/.test(name) && name !== 'Command' && typeof sdk[name] === 'function')
      return [service, new Set(names.map((name) => name.slice(0, -'Command'.length)))] as const
    }),
  )
  return Object.fromEntries(entries) as unknown as Operations
}

/** The port types that stand for an SDK client in the adapters (their methods are the SDK's). */
const API_TYPES: Record<string, Service> = { GlueApi: 'glue', AthenaApi: 'athena', StepFunctionsApi: 'sfn' }

const sdkService = (module: string): Service | undefined => {
  if (module === '@aws-sdk/lib-storage') return 's3'
  const match = /^@aws-sdk\/client-([a-z0-9-]+)$/.exec(module)
  return match && (SERVICES as readonly string[]).includes(match[1]!) ? (match[1] as Service) : undefined
}

/** What one file imports: SDK names by service, and the services whose clients it talks to. */
function importsOf(source: ts.SourceFile): { names: Map<string, Service>; services: Set<Service> } {
  const names = new Map<string, Service>()
  const services = new Set<Service>()
  for (const statement of source.statements) {
    if (!ts.isImportDeclaration(statement) || !ts.isStringLiteral(statement.moduleSpecifier)) continue
    const service = sdkService(statement.moduleSpecifier.text)
    const bindings = statement.importClause?.namedBindings
    const imported = bindings && ts.isNamedImports(bindings) ? bindings.elements.map((e) => e.name.text) : []
    if (service) {
      services.add(service)
      for (const name of imported) names.set(name, service)
    }
    for (const name of imported) if (API_TYPES[name]) services.add(API_TYPES[name])
  }
  return { names, services }
}

const pascal = (name: string) => name[0]!.toUpperCase() + name.slice(1)

/**
 * The SDK calls of one source file: `new <Operation>Command(` of an imported SDK command,
 * `new Upload(` of lib-storage, and `.<operation>(` where the operation belongs to a service
 * whose client (or port type) the file imports. A method name that two of those services share
 * is an error: the file must make plain which service it calls.
 */
export function sdkCallsIn(file: string, text: string, operations: Operations): SdkCall[] {
  const source = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true, ts.ScriptKind.TS)
  const { names, services } = importsOf(source)
  const calls: SdkCall[] = []
  const visit = (node: ts.Node) => {
    if (ts.isNewExpression(node) && ts.isIdentifier(node.expression)) {
      const name = node.expression.text
      const service = names.get(name)
      if (service && name === 'Upload') calls.push(...UPLOAD_OPERATIONS.map((operation) => ({ file, service, operation })))
      else if (service && name.endsWith('Command') && operations[service].has(name.slice(0, -'Command'.length))) {
        calls.push({ file, service, operation: name.slice(0, -'Command'.length) })
      }
    }
    if (ts.isCallExpression(node) && ts.isPropertyAccessExpression(node.expression)) {
      const operation = pascal(node.expression.name.text)
      const owners = [...services].filter((service) => operations[service].has(operation))
      if (owners.length > 1) throw new Error(`${file}: .${node.expression.name.text}( is an operation of ${owners.join(' and ')}; say which`)
      if (owners.length === 1) calls.push({ file, service: owners[0]!, operation })
    }
    ts.forEachChild(node, visit)
  }
  visit(source)
  return calls
}

/**
 * The services whose calls run with a tenant's credentials: those whose SDK client
 * tenant-credentials.ts constructs with `credentials` (the assumed tenant role's). Every other
 * client is the process's own, with the function's role.
 */
export function tenantScopedServices(text: string): Set<Service> {
  const source = ts.createSourceFile('tenant-credentials.ts', text, ts.ScriptTarget.Latest, true, ts.ScriptKind.TS)
  const { names } = importsOf(source)
  const scoped = new Set<Service>()
  const visit = (node: ts.Node) => {
    if (ts.isNewExpression(node) && ts.isIdentifier(node.expression) && names.has(node.expression.text)) {
      const options = node.arguments?.[0]
      const hasCredentials =
        options !== undefined &&
        ts.isObjectLiteralExpression(options) &&
        options.properties.some((p) => (ts.isShorthandPropertyAssignment(p) || ts.isPropertyAssignment(p)) && p.name.getText(source) === 'credentials')
      if (hasCredentials) scoped.add(names.get(node.expression.text)!)
    }
    ts.forEachChild(node, visit)
  }
  visit(source)
  return scoped
}

/** The adapters' source files (tests and test helpers excluded). */
export function adapterFiles(root: string, list: (dir: string) => string[]): string[] {
  const dir = join(root, 'functions/core/adapters/aws')
  return list(dir)
    .filter((name) => name.endsWith('.ts') && !name.endsWith('.test.ts') && !name.endsWith('.d.ts'))
    .sort()
    .map((name) => join(dir, name))
}

export type RoleActions = {
  /** Every SDK call found, for reports. */
  calls: SdkCall[]
  /** The actions of the calls made with a function's own credentials (its IRSA role). */
  function: string[]
  /** The actions of the calls made with a tenant's credentials (the tenant role). */
  tenant: string[]
}

const sorted = (actions: Iterable<string>) => [...new Set(actions)].sort()

/** The function role's and the tenant role's actions, from the adapters' source. */
export function roleActions(files: readonly { file: string; text: string }[], operations: Operations): RoleActions {
  const credentials = files.find((f) => f.file.endsWith('/tenant-credentials.ts'))
  if (!credentials) throw new Error('tenant-credentials.ts not found among the adapters')
  const scoped = tenantScopedServices(credentials.text)
  const calls = files.flatMap((f) => sdkCallsIn(f.file, f.text, operations))
  const actionsOf = (tenant: boolean) => sorted(calls.filter((c) => scoped.has(c.service) === tenant).flatMap((c) => iamActionsOf(c.service, c.operation)))
  return { calls, function: actionsOf(false), tenant: actionsOf(true) }
}

/**
 * Whether a function builds aws mode's services (and so makes every call above with its role):
 * its main.ts runs through runFunction, which builds them with servicesForMode, which loads
 * aws-main.ts in aws mode.
 */
export function functionBuildsAwsServices(root: string, fn: string): boolean {
  const read = (path: string) => readFileSync(join(root, path), 'utf8')
  return (
    /\brunFunction\(/.test(read(`functions/${fn}/main.ts`)) &&
    /\bservicesForMode\(/.test(read('functions/core/http/run-function.ts')) &&
    /import\(['"]\.\/aws\/aws-main\.ts['"]\)/.test(read('functions/core/adapters/services-for-mode.ts'))
  )
}

type AslState = { Type?: string; Resource?: string; States?: Record<string, AslState>; ItemProcessor?: AslState; Iterator?: AslState; Branches?: AslState[] }

/** Every Task state's Resource, nested Map and Parallel states included. */
export function taskResources(definition: { States?: Record<string, AslState> }): string[] {
  const found: string[] = []
  const walk = (states: Record<string, AslState> | undefined) => {
    for (const state of Object.values(states ?? {})) {
      if (state.Type === 'Task' && state.Resource) found.push(state.Resource)
      walk(state.ItemProcessor?.States)
      walk(state.Iterator?.States)
      for (const branch of state.Branches ?? []) walk(branch.States)
    }
  }
  walk(definition.States)
  return found
}

/**
 * The IAM actions of one Task state's Resource (Step Functions developer guide, "IAM policies for
 * integrated services"): an AWS SDK integration calls the operation it names; Athena's optimised
 * startQueryExecution.sync also polls and, when the execution stops, stops the query, and reads
 * the data catalog; eks:runJob needs no IAM action (the cluster's RBAC allows it, through an
 * access entry of the state machine's role).
 */
export function actionsOfTask(resource: string): string[] {
  const sdk = /^arn:aws:states:::aws-sdk:([a-z0-9]+):([A-Za-z0-9]+)$/.exec(resource)
  if (sdk) {
    const service = sdk[1] as Service
    if (!SERVICES.includes(service)) throw new Error(`${resource}: no IAM mapping for the ${sdk[1]} SDK integration`)
    return iamActionsOf(service, pascal(sdk[2]!))
  }
  const optimised = /^arn:aws:states:::([a-z0-9]+):([A-Za-z]+)(\.sync|\.waitForTaskToken)?$/.exec(resource)
  if (optimised?.[1] === 'athena' && optimised[2] === 'startQueryExecution') {
    const sync = optimised[3] === '.sync' ? ['athena:GetQueryExecution', 'athena:StopQueryExecution', 'athena:GetDataCatalog'] : []
    return [...iamActionsOf('athena', 'StartQueryExecution'), ...sync]
  }
  if (optimised?.[1] === 'eks' && optimised[2] === 'runJob') return []
  throw new Error(`${resource}: no IAM mapping for this Task resource; add it to infra/iam-actions.ts`)
}

/** The state machine role's actions: those of every Task state of the definition. */
export function stateMachineActions(definition: { States?: Record<string, AslState> }): string[] {
  return sorted(taskResources(definition).flatMap(actionsOfTask))
}
