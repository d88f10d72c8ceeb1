import { execFileSync, spawnSync } from 'node:child_process'
import { join } from 'node:path'
import { Gateway, HTTPRoute } from '@kubernetes-models/gateway-api/gateway.networking.k8s.io/v1'
import type { IHTTPRoute } from '@kubernetes-models/gateway-api/gateway.networking.k8s.io/v1/HTTPRoute'
import { ReferenceGrant } from '@kubernetes-models/gateway-api/gateway.networking.k8s.io/v1beta1'
import { Service } from '@kubernetes-models/knative/serving.knative.dev/v1'
import type { IService } from '@kubernetes-models/knative/serving.knative.dev/v1/Service'
import { ConfigMap, Namespace, Secret, ServiceAccount } from 'kubernetes-models/v1'
import { describe, expect, it } from 'vitest'
import { parseAllDocuments } from 'yaml'
import { routingTable, serviceFor, FUNCTIONS, type ServiceName } from '../deploy/routing.ts'
import { loadAwsConfig } from '../functions/core/adapters/aws/aws-config.ts'
import { loadConfig } from '../functions/core/config.ts'
import type { RouteSpec } from '../functions/core/http/openapi.ts'
import { apiRoutes } from '../functions/docs/api-routes.ts'
import { BASE_DIR } from './base-files.ts'
import { winningRules } from './gateway-api-match.ts'
import { CONFIG_MAP, JOBS_NAMESPACE, PORT, PREPARE_SERVICE_ACCOUNT, SECRET, SERVICES, TMP } from './manifests.ts'
import { INGRESS, MAX_REVISION_TIMEOUT_SECONDS } from './settings.ts'

type K8sObject = { apiVersion: string; kind: string; metadata: { name: string; namespace?: string; annotations?: Record<string, string>; labels?: Record<string, string> }; [key: string]: unknown }

/** kubectl with kustomize built in (kubectl kustomize): on this machine image and in CI. */
const KUBECTL = spawnSync('kubectl', ['version', '--client'], { encoding: 'utf8' }).status === 0 ? 'kubectl' : undefined
const SKIP = KUBECTL ? '' : ' (SKIPPED: kubectl is not on PATH, so `kubectl kustomize` cannot build the overlays; install kubectl >= 1.14 to run this check)'
if (!KUBECTL) console.warn(`knative/manifests.test.ts:${SKIP}`)

function build(dir: string): K8sObject[] {
  const text = execFileSync(KUBECTL!, ['kustomize', dir], { encoding: 'utf8' })
  return parseAllDocuments(text).map((doc) => doc.toJS() as K8sObject).filter(Boolean)
}

/** Each kind of the build, by its model class: `validate()` checks it against the published schema. */
const MODELS: Record<string, new (data: never) => { validate(): void }> = {
  'v1/Namespace': Namespace,
  'v1/ServiceAccount': ServiceAccount,
  'v1/ConfigMap': ConfigMap,
  'v1/Secret': Secret,
  'serving.knative.dev/v1/Service': Service,
  'gateway.networking.k8s.io/v1/Gateway': Gateway,
  'gateway.networking.k8s.io/v1/HTTPRoute': HTTPRoute,
  'gateway.networking.k8s.io/v1beta1/ReferenceGrant': ReferenceGrant,
}

/** Container securityContext fields Knative Serving accepts without feature flags (its field mask). */
const KNATIVE_SECURITY_CONTEXT = new Set(['runAsNonRoot', 'runAsUser', 'runAsGroup', 'readOnlyRootFilesystem', 'allowPrivilegeEscalation', 'capabilities', 'seccompProfile'])
/** Revision spec fields used here, all in Knative's PodSpec mask without feature flags. */
const KNATIVE_POD_SPEC = new Set(['serviceAccountName', 'containerConcurrency', 'timeoutSeconds', 'responseStartTimeoutSeconds', 'containers', 'volumes'])

/** A concrete request path for an OpenAPI path: `{param}` segments filled in. */
const concrete = (path: string) => path.replaceAll(/\{[^}]+\}/g, 'x_1')

async function owners(): Promise<Map<RouteSpec, ServiceName>> {
  const owner = new Map<RouteSpec, ServiceName>()
  for (const fn of FUNCTIONS.filter((f) => f !== 'docs')) {
    const { routes } = (await import(`../functions/${fn}/routes.ts`)) as { routes: readonly RouteSpec[] }
    for (const route of routes) owner.set(route, fn)
  }
  return owner
}

const knativeServices = (objects: K8sObject[]) => objects.filter((o) => o.kind === 'Service' && o.apiVersion === 'serving.knative.dev/v1') as unknown as (IService & K8sObject)[]
const template = (s: IService) => s.spec!.template!
const container = (s: IService) => template(s).spec!.containers[0]!

/** Which Knative Service a request reaches through the built HTTPRoutes, or why it reaches none or several. */
function reach(objects: K8sObject[], method: string, path: string): { service?: string; problem?: string } {
  const routes = objects.filter((o) => o.kind === 'HTTPRoute') as unknown as IHTTPRoute[]
  const winners = winningRules(routes, { method, path })
  if (winners.length !== 1) return { problem: `${winners.length} rules win (${winners.map((w) => w.route).join(', ')})` }
  const { rule, route } = winners[0]!
  const backends = rule.backendRefs ?? []
  const local = INGRESS.localGateway
  if (backends.length !== 1 || backends[0]!.name !== local.name || backends[0]!.namespace !== local.namespace || backends[0]!.port !== local.port) {
    return { problem: `${route} does not send to Knative's local gateway ${local.namespace}/${local.name}:${local.port}` }
  }
  const hosts = (rule.filters ?? []).filter((f) => f.type === 'URLRewrite').map((f) => f.urlRewrite?.hostname)
  const match = hosts.length === 1 ? new RegExp(`^([a-z0-9-]+)\\.${INGRESS.namespace}\\.svc\\.${INGRESS.clusterDomain.replaceAll('.', '\\.')}$`).exec(hosts[0] ?? '') : null
  if (!match) return { problem: `${route} does not rewrite the Host to one cluster-local service name (${hosts.join(', ')})` }
  const service = knativeServices(objects).find((s) => s.metadata.name === match[1])
  if (!service) return { problem: `${route} rewrites to ${hosts[0]}, which no Knative Service of the build has` }
  if (service.metadata.labels?.['networking.knative.dev/visibility'] !== 'cluster-local') return { problem: `${match[1]} is not cluster-local` }
  return { service: match[1] }
}

describe.each(['dev', 'prod'])('the %s overlay', (overlay) => {
  const dir = join(import.meta.dirname, 'overlays', overlay)
  // Built once per overlay (kubectl takes ~0.5 s); each test reads the same objects.
  let cache: K8sObject[] | undefined
  const objects = () => (cache ??= build(dir))

  it.skipIf(!KUBECTL)(`builds with kubectl kustomize, and every object validates against its Kubernetes, Knative or Gateway API schema${SKIP}`, () => {
    const built = objects()
    expect(built.length).toBeGreaterThan(0)
    for (const object of built) {
      const Model = MODELS[`${object.apiVersion}/${object.kind}`]
      expect(Model, `${object.apiVersion} ${object.kind} ${object.metadata.name} has no model to validate it`).toBeDefined()
      expect(() => new Model!(object as never).validate(), `${object.kind} ${object.metadata.name}`).not.toThrow()
    }
    // The Secret is applied by hand once; a build that carried it would overwrite the real value.
    expect(built.filter((o) => o.kind === 'Secret')).toEqual([])
  })

  it.skipIf(!KUBECTL)(`sends every route of the OpenAPI document to exactly one function Service, the one whose routes.ts has it${SKIP}`, async () => {
    const built = objects()
    const owner = await owners()
    for (const route of apiRoutes) {
      const path = concrete(route.path)
      const reached = reach(built, route.method.toUpperCase(), path)
      expect(reached, `${route.method.toUpperCase()} ${route.path}`).toEqual({ service: owner.get(route) })
    }
    for (const path of ['/api/openapi.json', '/api/docs', '/api/docs/swagger-ui.css', '/api/no-such-route', '/api/queryx']) {
      expect(reach(built, 'GET', path), path).toEqual({ service: 'docs' })
    }
    for (const path of ['/', '/index.html', '/query/', '/files/', '/_next/static/app.js', '/apix']) {
      expect(reach(built, 'GET', path), path).toEqual({ service: 'web' })
    }
  })

  it.skipIf(!KUBECTL)(`routes as deploy/routing.ts says, path for path${SKIP}`, () => {
    const built = objects()
    const table = routingTable()
    const paths = table.flatMap((r) => [r.path, `${r.path.replace(/\/$/, '')}/x_1`, `${r.path}x`])
    for (const path of paths) expect(reach(built, 'GET', path).service, path).toBe(serviceFor(table, path))
  })

  it.skipIf(!KUBECTL)(`has a Knative Service and a service account for every function and the web, each function with its own IAM role${SKIP}`, () => {
    const built = objects()
    const services = knativeServices(built)
    expect(services.map((s) => s.metadata.name).sort()).toEqual([...SERVICES].sort())
    const accounts = new Map(built.filter((o) => o.kind === 'ServiceAccount').map((o) => [o.metadata.name, o]))
    const roles = new Set<string>()
    for (const service of services) {
      const name = service.metadata.name as ServiceName
      const account = accounts.get(template(service).spec!.serviceAccountName!)
      expect(account, `${name}'s service account`).toBeDefined()
      const role = account!.metadata.annotations?.['eks.amazonaws.com/role-arn']
      if (name === 'web') {
        expect(role, 'the web calls no AWS API').toBeUndefined()
        continue
      }
      expect(role, `${name}'s role`).toMatch(new RegExp(`^arn:aws(-[a-z]+)*:iam::\\d{12}:role/[\\w+=,.@-]*${name}$`))
      roles.add(role!)
    }
    expect(roles.size, 'one role per function').toBe(FUNCTIONS.length)
  })

  it.skipIf(!KUBECTL)(`scales every service to zero, bounds it, and probes /healthz on port ${PORT}${SKIP}`, () => {
    for (const service of knativeServices(objects())) {
      const name = service.metadata.name
      const annotations = template(service).metadata!.annotations!
      expect(annotations['autoscaling.knative.dev/min-scale'], name).toBe('0')
      expect(Number(annotations['autoscaling.knative.dev/max-scale']), name).toBeGreaterThanOrEqual(1)
      expect(Number(annotations['autoscaling.knative.dev/target']), name).toBeGreaterThanOrEqual(1)
      const c = container(service)
      expect(template(service).spec!.containers, name).toHaveLength(1)
      expect(c.ports, name).toEqual([{ name: 'http1', containerPort: PORT }])
      for (const probe of [c.readinessProbe, c.livenessProbe]) expect(probe?.httpGet, name).toEqual({ path: '/healthz', port: PORT })
      expect(c.image, name).toMatch(new RegExp(`^\\d{12}\\.dkr\\.ecr\\.[a-z0-9-]+\\.amazonaws\\.com/csvlake-${name}:[\\w.-]+$`))
      for (const key of ['cpu', 'memory'] as const) {
        expect(c.resources?.requests?.[key], `${name} requests ${key}`).toBeDefined()
        expect(c.resources?.limits?.[key], `${name} limits ${key}`).toBeDefined()
      }
    }
  })

  it.skipIf(!KUBECTL)(`runs every container as non-root on a read-only root file system, writing only to an emptyDir at ${TMP}, with only the fields Knative accepts${SKIP}`, () => {
    for (const service of knativeServices(objects())) {
      const name = service.metadata.name
      const spec = template(service).spec!
      const c = container(service)
      expect(Object.keys(spec).filter((k) => !KNATIVE_POD_SPEC.has(k)), `${name}: revision spec fields outside Knative's mask`).toEqual([])
      expect(Object.keys(c.securityContext ?? {}).filter((k) => !KNATIVE_SECURITY_CONTEXT.has(k)), `${name}: securityContext fields outside Knative's mask`).toEqual([])
      expect(c.securityContext, name).toMatchObject({ runAsNonRoot: true, readOnlyRootFilesystem: true, allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] } })
      expect(c.securityContext!.runAsUser, name).toBeGreaterThan(0)
      const mount = c.volumeMounts?.find((m) => m.mountPath === TMP)
      expect(spec.volumes?.find((v) => v.name === mount?.name)?.emptyDir, `${name}: ${TMP} is an emptyDir`).toBeDefined()
      const env = new Map((c.env ?? []).map((e) => [e.name, e.value]))
      for (const variable of ['TMPDIR', 'NODE_COMPILE_CACHE']) expect(env.get(variable), `${name} ${variable}`).toMatch(new RegExp(`^${TMP}(/|$)`))
    }
  })

  it.skipIf(!KUBECTL)(`gives each route the timeout of the service it reaches, within Knative's default ceiling, the longest to uploads${SKIP}`, () => {
    const built = objects()
    const services = new Map(knativeServices(built).map((s) => [s.metadata.name, template(s).spec!]))
    for (const route of built.filter((o) => o.kind === 'HTTPRoute') as unknown as IHTTPRoute[]) {
      for (const rule of route.spec!.rules!) {
        const host = rule.filters?.find((f) => f.type === 'URLRewrite')?.urlRewrite?.hostname ?? ''
        const spec = services.get(host.split('.')[0]!)
        expect(rule.timeouts?.request, route.metadata?.name).toBe(`${spec?.timeoutSeconds}s`)
      }
    }
    const timeouts = [...services.values()].map((s) => s.timeoutSeconds!)
    expect(Math.max(...timeouts)).toBeLessThanOrEqual(MAX_REVISION_TIMEOUT_SECONDS)
    expect(services.get('upload')!.timeoutSeconds).toBe(Math.max(...timeouts))
    // A query waits up to 60 s (waitMs) before it answers, then AWS calls may take their 30 s.
    expect(services.get('query')!.responseStartTimeoutSeconds).toBeGreaterThanOrEqual(60 + 30)
    expect(services.get('preview')!.timeoutSeconds).toBeLessThan(services.get('query')!.timeoutSeconds!)
  })

  it.skipIf(!KUBECTL)(`configures every function from ${CONFIG_MAP} and ${SECRET}, with settings aws mode accepts at start${SKIP}`, () => {
    const built = objects()
    for (const service of knativeServices(built).filter((s) => s.metadata.name !== 'web')) {
      expect(container(service).envFrom, service.metadata.name).toEqual([{ configMapRef: { name: CONFIG_MAP } }, { secretRef: { name: SECRET } }])
    }
    const config = built.find((o) => o.kind === 'ConfigMap' && o.metadata.name === CONFIG_MAP)
    expect(config).toBeDefined()
    const env: Record<string, string> = { ...(config!.data as Record<string, string>), CSVLAKE_DOWNLOAD_SECRET: 'a'.repeat(64) }
    expect(env.CSVLAKE_MODE).toBe('aws')
    expect(() => loadAwsConfig(env)).not.toThrow()
    expect(loadConfig(env).auth.enabled, 'aws mode signs users in').toBe(true)
  })

  it.skipIf(!KUBECTL)(`runs the ingest's prepare Jobs in a namespace of their own, as a service account with its own role, both named by the ConfigMap${SKIP}`, () => {
    const built = objects()
    const eks = loadAwsConfig(built.find((o) => o.kind === 'ConfigMap' && o.metadata.name === CONFIG_MAP)!.data as Record<string, string>).eks
    expect(eks).toMatchObject({ namespace: JOBS_NAMESPACE, serviceAccount: PREPARE_SERVICE_ACCOUNT, image: expect.stringMatching(/\/csvlake-prepare:[\w.-]+$/) })
    expect(built.some((o) => o.kind === 'Namespace' && o.metadata.name === JOBS_NAMESPACE)).toBe(true)
    const account = built.find((o) => o.kind === 'ServiceAccount' && o.metadata.name === PREPARE_SERVICE_ACCOUNT)
    expect(account?.metadata.namespace).toBe(JOBS_NAMESPACE)
    expect(account?.metadata.annotations?.['eks.amazonaws.com/role-arn']).toMatch(/^arn:aws(-[a-z]+)*:iam::\d{12}:role\/[\w+=,.@-]*prepare$/)
  })
})

describe('the base alone', () => {
  it.skipIf(!KUBECTL)(`leaves every account-specific setting empty, so a deployment without an overlay stops at start naming each${SKIP}`, () => {
    const config = build(BASE_DIR).find((o) => o.kind === 'ConfigMap')
    expect(() => loadAwsConfig(config!.data as Record<string, string>)).toThrow(/CSVLAKE_S3_BUCKET is missing[\s\S]*CSVLAKE_TENANT_ROLE_ARN is missing/)
  })

  it(`keeps the ${SECRET} template valid and out of the kustomization`, async () => {
    const { readFile } = await import('node:fs/promises')
    const [secret] = parseAllDocuments(await readFile(join(BASE_DIR, 'secret.template.yaml'), 'utf8')).map((d) => d.toJS())
    expect(() => new Secret(secret).validate()).not.toThrow()
    expect(Object.keys(secret.stringData)).toEqual(['CSVLAKE_DOWNLOAD_SECRET'])
    expect(await readFile(join(BASE_DIR, 'kustomization.yaml'), 'utf8')).not.toContain('secret')
  })
})
