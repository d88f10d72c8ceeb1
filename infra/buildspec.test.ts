import { spawnSync } from 'node:child_process'
import { existsSync, readFileSync } from 'node:fs'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { parse } from 'yaml'
import { describe, expect, it } from 'vitest'
import { FUNCTIONS } from '../deploy/routing.ts'
import { loadModule } from './hcl.ts'

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..')
const PHASES = ['install', 'pre_build', 'build', 'post_build'] as const

type Phase = { 'on-failure'?: string; commands?: string[] }
type Buildspec = { version: number | string; env?: { shell?: string; variables?: Record<string, string> }; phases: Partial<Record<(typeof PHASES)[number], Phase>> }

const buildspec = parse(readFileSync(join(ROOT, 'buildspec.yml'), 'utf8')) as Buildspec
/** Every command in the order CodeBuild runs them. */
const commands = PHASES.flatMap((phase) => (buildspec.phases[phase]?.commands ?? []).map((command) => ({ phase, command })))
const at = (what: RegExp) => {
  const index = commands.findIndex((c) => what.test(c.command))
  expect(index, `a command matching ${what}`).toBeGreaterThanOrEqual(0)
  return index
}

describe('buildspec.yml (CodeBuild), read with the yaml package', () => {
  it('is a version 0.2 buildspec whose phases are the ones CodeBuild knows', () => {
    expect(String(buildspec.version)).toBe('0.2')
    for (const phase of Object.keys(buildspec.phases)) expect(PHASES).toContain(phase)
  })

  it('runs, in this order: npm ci (the pinned Node), .ci/run, build the images, push them by commit, update the kubeconfig, render the prod overlay with those images, apply it', () => {
    const steps = [
      at(/^npm ci$/),
      at(/^\.ci\/run$/),
      at(/^node scripts\/images\.mjs build\b/),
      at(/^aws ecr get-login-password .*\| docker login .*"\$ECR_REGISTRY"$/),
      at(/^node scripts\/images\.mjs push --registry "\$ECR_REGISTRY" --tag "\$CODEBUILD_RESOLVED_SOURCE_VERSION"$/),
      at(/^aws eks update-kubeconfig --name "\$EKS_CLUSTER"/),
      at(/^kubectl kustomize "\$KNATIVE_OVERLAY" \| sed /),
      at(/^kubectl apply -f knative-prod\.yaml$/),
    ]
    expect(steps).toEqual([...steps].sort((a, b) => a - b))
    expect(buildspec.env?.variables?.KNATIVE_OVERLAY).toBe('knative/overlays/prod')
    expect(commands[steps[0]!]!.phase).toBe('install')
  })

  it('stops at the first failure, so a failed test never pushes or deploys', () => {
    for (const phase of PHASES) expect(buildspec.phases[phase]?.['on-failure'], phase).toBe('ABORT')
  })

  it('puts the project Node (node_modules/.bin) first on the PATH before any node command', () => {
    const path = at(/^export PATH="\$PWD\/node_modules\/\.bin:\$PATH"$/)
    expect(path).toBeLessThan(at(/^node /))
  })

  it('calls scripts that exist: .ci/run and scripts/images.mjs with its push --registry --tag', () => {
    expect(existsSync(join(ROOT, '.ci/run'))).toBe(true)
    const images = readFileSync(join(ROOT, 'scripts/images.mjs'), 'utf8')
    expect(images).toMatch(/push --registry R --tag T/)
    expect(existsSync(join(ROOT, 'knative/overlays/prod/kustomization.yaml'))).toBe(true)
  })

  it('uses only variables the CodeBuild project sets (infra/modules/cicd) or CodeBuild itself sets', async () => {
    const cicd = await loadModule(join(ROOT, 'infra/modules/cicd'))
    const env = ((cicd.resources.aws_codebuild_project!.build!.environment as Record<string, unknown>[])[0]!.environment_variable as { name: string }[]).map((v) => v.name)
    const own = Object.keys(buildspec.env?.variables ?? {})
    const codebuild = ['AWS_REGION', 'CODEBUILD_RESOLVED_SOURCE_VERSION', 'PWD', 'PATH']
    const used = new Set(commands.flatMap((c) => [...c.command.matchAll(/\$\{?([A-Z_][A-Z0-9_]*)/g)].map((m) => m[1]!)))
    expect([...used].filter((name) => ![...env, ...own, ...codebuild].includes(name))).toEqual([])
  })

  const kubectl = spawnSync('kubectl', ['version', '--client'], { encoding: 'utf8' })
  it.skipIf(kubectl.error !== undefined)("its render step, run on the real prod overlay, points every service's image and the prepare Jobs' image at this build's commit in ECR", () => {
    const render = commands.find((c) => c.command.startsWith('kubectl kustomize'))!.command.replace(/ > knative-prod\.yaml$/, '')
    const env = { ...process.env, KNATIVE_OVERLAY: 'knative/overlays/prod', ECR_REGISTRY: '111122223333.dkr.ecr.eu-west-1.amazonaws.com', CODEBUILD_RESOLVED_SOURCE_VERSION: '0123abcd' }
    const run = spawnSync('bash', ['-c', `set -o pipefail; ${render}`], { cwd: ROOT, env, encoding: 'utf8' })
    expect(run.status, run.stderr).toBe(0)
    const images = [...run.stdout.matchAll(/^\s*image:\s*(\S+)\s*$/gm)].map((m) => m[1]!)
    const expected = [...FUNCTIONS, 'web'].map((s) => `111122223333.dkr.ecr.eu-west-1.amazonaws.com/csvlake-${s}:0123abcd`)
    expect([...new Set(images)].sort()).toEqual(expected.sort())
    // The ingest's Jobs run the prepare image this build pushed.
    expect([...run.stdout.matchAll(/^\s*CSVLAKE_EKS_IMAGE:\s*(\S+)\s*$/gm)].map((m) => m[1])).toEqual(['111122223333.dkr.ecr.eu-west-1.amazonaws.com/csvlake-prepare:0123abcd'])
  })
})
