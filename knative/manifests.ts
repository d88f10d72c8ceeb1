import type { IHTTPRoute } from '@kubernetes-models/gateway-api/gateway.networking.k8s.io/v1/HTTPRoute'
import type { IGateway } from '@kubernetes-models/gateway-api/gateway.networking.k8s.io/v1/Gateway'
import type { IReferenceGrant } from '@kubernetes-models/gateway-api/gateway.networking.k8s.io/v1beta1/ReferenceGrant'
import type { IService } from '@kubernetes-models/knative/serving.knative.dev/v1/Service'
import type { IConfigMap } from 'kubernetes-models/v1/ConfigMap'
import type { INamespace } from 'kubernetes-models/v1/Namespace'
import type { ISecret } from 'kubernetes-models/v1/Secret'
import type { IServiceAccount } from 'kubernetes-models/v1/ServiceAccount'
import { FUNCTIONS, type Route, type ServiceName } from '../deploy/routing.ts'
import type { IngressSettings, ServiceSettings } from './settings.ts'

/** Every deployable unit: the functions, then the web. */
export const SERVICES: readonly ServiceName[] = [...FUNCTIONS, 'web']

export const CONFIG_MAP = 'csvlake-config'
export const SECRET = 'csvlake-secrets'
export const GATEWAY = 'csvlake'
export const PORT = 8080
/** Where TMPDIR and NODE_COMPILE_CACHE point: the only writable path (an emptyDir). */
export const TMP = '/tmp'

const APP = 'csvlake'

export const imageName = (service: ServiceName) => `csvlake-${service}`
/** One service account per function, so each gets its own IAM role (IRSA); the web's has none. */
export const serviceAccountName = (service: ServiceName) => `csvlake-${service}`
/** The cluster-local host Knative gives a service, which the public routes rewrite to. */
export const clusterLocalHost = (service: ServiceName, ingress: IngressSettings) => `${service}.${ingress.namespace}.svc.${ingress.clusterDomain}`

const labels = (service: ServiceName) => ({ 'app.kubernetes.io/name': APP, 'app.kubernetes.io/component': service })

export function namespace(ingress: IngressSettings): INamespace {
  return { apiVersion: 'v1', kind: 'Namespace', metadata: { name: ingress.namespace, labels: { 'app.kubernetes.io/name': APP } } }
}

/**
 * Where the ingest state machine runs its prepare Jobs (CSVLAKE_EKS_NAMESPACE), apart from the
 * functions: the state machine's role may create Jobs there and nowhere else (infra's access entry
 * is scoped to it), and the Jobs' service account (CSVLAKE_EKS_SERVICE_ACCOUNT) has its own role.
 */
export const JOBS_NAMESPACE = 'csvlake-jobs'
export const PREPARE_SERVICE_ACCOUNT = 'csvlake-prepare'

/** The prepare Jobs' namespace and service account; the overlays annotate the account with its IAM role (IRSA). */
export function prepareJobsObjects(): [INamespace, IServiceAccount] {
  const labels = { 'app.kubernetes.io/name': APP, 'app.kubernetes.io/component': 'prepare' }
  return [
    { apiVersion: 'v1', kind: 'Namespace', metadata: { name: JOBS_NAMESPACE, labels } },
    // No Kubernetes API token: the Jobs only call AWS, with the IRSA token EKS mounts itself.
    { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: PREPARE_SERVICE_ACCOUNT, namespace: JOBS_NAMESPACE, labels }, automountServiceAccountToken: false },
  ]
}

/**
 * IRSA: the overlays annotate each function's account with its role
 * (`eks.amazonaws.com/role-arn`). No account needs the Kubernetes API, so no token is mounted
 * (the EKS pod identity webhook mounts its own web identity token regardless).
 */
export function serviceAccount(service: ServiceName, ingress: IngressSettings): IServiceAccount {
  return {
    apiVersion: 'v1',
    kind: 'ServiceAccount',
    metadata: { name: serviceAccountName(service), namespace: ingress.namespace, labels: labels(service) },
    automountServiceAccountToken: false,
  }
}

/**
 * The aws-mode settings (functions/core/adapters/aws/aws-config.ts, core/config.ts). Required values are
 * empty here, so a deployment without an overlay's values fails at start with every missing one named.
 */
export const CONFIG_DEFAULTS: Record<string, string> = {
  CSVLAKE_MODE: 'aws',
  AWS_REGION: '',
  CSVLAKE_S3_BUCKET: '',
  CSVLAKE_ATHENA_WORKGROUP: '',
  CSVLAKE_INGEST_STATE_MACHINE_ARN: '',
  CSVLAKE_CRAWLER_ROLE_ARN: '',
  CSVLAKE_TENANT_ROLE_ARN: '',
  CSVLAKE_ATHENA_MAX_SCANNED_BYTES: '10GiB',
  CSVLAKE_AWS_TIMEOUT_MS: '10000',
  CSVLAKE_AWS_MAX_ATTEMPTS: '3',
  CSVLAKE_AUTH_ISSUER: '',
  CSVLAKE_AUTH_AUDIENCE: '',
  CSVLAKE_AUTH_CLIENT_ID: '',
  // Where the ingest's prepare Jobs run: all six or none. The overlays set them (the namespace and
  // service account are csvlake-jobs and csvlake-prepare, made by jobs.yaml).
  CSVLAKE_EKS_CLUSTER: '',
  CSVLAKE_EKS_ENDPOINT: '',
  CSVLAKE_EKS_CA_DATA: '',
  CSVLAKE_EKS_NAMESPACE: '',
  CSVLAKE_EKS_SERVICE_ACCOUNT: '',
  CSVLAKE_EKS_IMAGE: '',
}

export function configMap(ingress: IngressSettings): IConfigMap {
  return { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: CONFIG_MAP, namespace: ingress.namespace, labels: { 'app.kubernetes.io/name': APP } }, data: CONFIG_DEFAULTS }
}

/**
 * The shared download secret, as a template only: it is not in the kustomization, so `kubectl apply -k`
 * never overwrites the real one with a placeholder. Every replica of every function must share it
 * (a link signed by one query replica is checked by another).
 */
export function secretTemplate(ingress: IngressSettings): ISecret {
  return {
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: { name: SECRET, namespace: ingress.namespace, labels: { 'app.kubernetes.io/name': APP } },
    type: 'Opaque',
    stringData: { CSVLAKE_DOWNLOAD_SECRET: 'REPLACE with the output of: openssl rand -hex 32' },
  }
}

/** One Knative Service: cluster-local (reached only through the public Gateway's routes), scaled to zero when idle. */
export function knativeService(service: ServiceName, settings: ServiceSettings, ingress: IngressSettings): IService {
  const isFunction = service !== 'web'
  const probe = { httpGet: { path: '/healthz', port: PORT } }
  return {
    apiVersion: 'serving.knative.dev/v1',
    kind: 'Service',
    metadata: {
      name: service,
      namespace: ingress.namespace,
      labels: { ...labels(service), 'networking.knative.dev/visibility': 'cluster-local' },
    },
    spec: {
      template: {
        metadata: {
          labels: labels(service),
          annotations: {
            'autoscaling.knative.dev/min-scale': '0',
            'autoscaling.knative.dev/max-scale': String(settings.maxScale),
            'autoscaling.knative.dev/target': String(settings.target),
          },
        },
        spec: {
          serviceAccountName: serviceAccountName(service),
          containerConcurrency: settings.containerConcurrency,
          timeoutSeconds: settings.timeoutSeconds,
          ...(settings.responseStartTimeoutSeconds === undefined ? {} : { responseStartTimeoutSeconds: settings.responseStartTimeoutSeconds }),
          containers: [
            {
              name: service,
              image: imageName(service),
              ports: [{ name: 'http1', containerPort: PORT }],
              ...(isFunction ? { envFrom: [{ configMapRef: { name: CONFIG_MAP } }, { secretRef: { name: SECRET } }] } : {}),
              env: [
                { name: 'TMPDIR', value: TMP },
                { name: 'NODE_COMPILE_CACHE', value: `${TMP}/node-compile-cache` },
              ],
              resources: settings.resources,
              // No periodSeconds: Knative then probes readiness every few milliseconds at start, so a
              // cold start from zero is served as soon as the process listens.
              readinessProbe: { ...probe, successThreshold: 1 },
              livenessProbe: { ...probe, periodSeconds: 10, failureThreshold: 3 },
              securityContext: {
                runAsNonRoot: true,
                runAsUser: 10001,
                runAsGroup: 10001,
                readOnlyRootFilesystem: true,
                allowPrivilegeEscalation: false,
                capabilities: { drop: ['ALL'] },
                seccompProfile: { type: 'RuntimeDefault' },
              },
              volumeMounts: [{ name: 'tmp', mountPath: TMP }],
            },
          ],
          volumes: [{ name: 'tmp', emptyDir: { sizeLimit: settings.tmpSize } }],
        },
      },
    },
  }
}

/**
 * The public entry: a Gateway of our own (Istio provisions its proxy and an AWS load balancer for
 * it). The overlays set its hostname and listeners (prod: HTTPS only).
 */
export function gateway(ingress: IngressSettings): IGateway {
  return {
    apiVersion: 'gateway.networking.k8s.io/v1',
    kind: 'Gateway',
    metadata: { name: GATEWAY, namespace: ingress.namespace, labels: { 'app.kubernetes.io/name': APP } },
    spec: {
      gatewayClassName: ingress.gatewayClassName,
      infrastructure: {
        annotations: {
          'service.beta.kubernetes.io/aws-load-balancer-type': 'external',
          'service.beta.kubernetes.io/aws-load-balancer-nlb-target-type': 'ip',
          'service.beta.kubernetes.io/aws-load-balancer-scheme': 'internet-facing',
        },
      },
      listeners: [{ name: 'http', protocol: 'HTTP', port: 80, allowedRoutes: { namespaces: { from: 'Same' } } }],
    },
  }
}

/** Lets our routes (in our namespace) send to Knative's local gateway Service (in its own). */
export function referenceGrant(ingress: IngressSettings): IReferenceGrant {
  return {
    apiVersion: 'gateway.networking.k8s.io/v1beta1',
    kind: 'ReferenceGrant',
    metadata: { name: `${APP}-to-knative-local-gateway`, namespace: ingress.localGateway.namespace, labels: { 'app.kubernetes.io/name': APP } },
    spec: {
      from: [{ group: 'gateway.networking.k8s.io', kind: 'HTTPRoute', namespace: ingress.namespace }],
      to: [{ group: '', kind: 'Service', name: ingress.localGateway.name }],
    },
  }
}

/**
 * The routing table as HTTPRoutes, one per service (one rule with all its paths): the table's
 * `exact` is Gateway API's Exact and its `prefix` is PathPrefix, which also matches whole path
 * segments only. Each rule rewrites the Host to the service's cluster-local name and sends the
 * request to Knative's local gateway, which routes by that Host to the revision (or the activator
 * while the service is scaled to zero). The rule's timeout is the service's own.
 */
export function httpRoutes(table: readonly Route[], settings: Record<ServiceName, ServiceSettings>, ingress: IngressSettings): IHTTPRoute[] {
  const byService = new Map<ServiceName, Route[]>()
  for (const route of table) byService.set(route.service, [...(byService.get(route.service) ?? []), route])
  return SERVICES.filter((service) => byService.has(service)).map((service) => ({
    apiVersion: 'gateway.networking.k8s.io/v1',
    kind: 'HTTPRoute',
    metadata: { name: `${APP}-${service}`, namespace: ingress.namespace, labels: labels(service) },
    spec: {
      parentRefs: [{ group: 'gateway.networking.k8s.io', kind: 'Gateway', name: GATEWAY }],
      rules: [
        {
          matches: byService.get(service)!.map((route) => ({ path: { type: route.match === 'exact' ? 'Exact' : 'PathPrefix', value: route.path } })),
          filters: [{ type: 'URLRewrite', urlRewrite: { hostname: clusterLocalHost(service, ingress) } }],
          backendRefs: [{ group: '', kind: 'Service', name: ingress.localGateway.name, namespace: ingress.localGateway.namespace, port: ingress.localGateway.port }],
          timeouts: { request: `${settings[service].timeoutSeconds}s` },
        },
      ],
    },
  }))
}
