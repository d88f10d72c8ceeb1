import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { bucketNameProblem, ignoredLocalSettings, loadAwsConfig, LOCAL_ONLY_SETTINGS } from './aws-config.ts'

const good = {
  CSVLAKE_S3_BUCKET: 'acme-csvlake',
  AWS_REGION: 'eu-west-1',
  CSVLAKE_ATHENA_WORKGROUP: 'csvlake',
  CSVLAKE_INGEST_STATE_MACHINE_ARN: 'arn:aws:states:eu-west-1:123456789012:stateMachine:csvlake-ingest',
  CSVLAKE_CRAWLER_ROLE_ARN: 'arn:aws:iam::123456789012:role/service-role/csvlake-crawler',
  CSVLAKE_TENANT_ROLE_ARN: 'arn:aws:iam::123456789012:role/csvlake-tenant',
}

function problemsOf(env: Record<string, string | undefined>): string[] {
  try {
    loadAwsConfig(env)
  } catch (err) {
    return (err as Error).message.split('\n').slice(1)
  }
  throw new Error('expected the settings to be refused')
}

describe('loadAwsConfig', () => {
  it('parses a complete environment, with the defaults for what is optional', () => {
    expect(loadAwsConfig(good)).toEqual({
      region: 'eu-west-1',
      partition: 'aws',
      account: '123456789012',
      bucket: 'acme-csvlake',
      athena: { workGroup: 'csvlake', maxScannedBytes: 10 * 1024 ** 3 },
      ingestStateMachineArn: good.CSVLAKE_INGEST_STATE_MACHINE_ARN,
      crawlerRoleArn: good.CSVLAKE_CRAWLER_ROLE_ARN,
      tenantRoleArn: good.CSVLAKE_TENANT_ROLE_ARN,
      timeoutMs: 10_000,
      maxAttempts: 3,
      s3: { endpoint: undefined, forcePathStyle: false },
      endpoints: {},
      eks: undefined,
    })
  })

  it('names every missing variable in one message, one line each with its expected shape', () => {
    const lines = problemsOf({})
    const names = ['CSVLAKE_S3_BUCKET', 'AWS_REGION', 'CSVLAKE_ATHENA_WORKGROUP', 'CSVLAKE_INGEST_STATE_MACHINE_ARN', 'CSVLAKE_CRAWLER_ROLE_ARN', 'CSVLAKE_TENANT_ROLE_ARN']
    expect(lines).toHaveLength(names.length)
    names.forEach((name, i) => {
      expect(lines[i]).toMatch(new RegExp(`^- ${name} is missing: .+`))
    })
    expect(lines.find((l) => l.includes('STATE_MACHINE'))).toContain('arn:aws:states:REGION:ACCOUNT:stateMachine:NAME')
  })

  it('names a malformed ARN and says what it should look like', () => {
    const lines = problemsOf({ ...good, CSVLAKE_TENANT_ROLE_ARN: 'arn:aws:iam::12345:user/alice', CSVLAKE_INGEST_STATE_MACHINE_ARN: 'csvlake-ingest' })
    expect(lines).toEqual([
      expect.stringMatching(/^- CSVLAKE_INGEST_STATE_MACHINE_ARN is malformed \(it is "csvlake-ingest"\): a state machine ARN, arn:aws:states:/),
      expect.stringMatching(/^- CSVLAKE_TENANT_ROLE_ARN is malformed \(it is "arn:aws:iam::12345:user\/alice"\): an IAM role ARN, arn:aws:iam::ACCOUNT:role\/NAME/),
    ])
  })

  it('reports malformed optional settings together with the missing required ones', () => {
    const { CSVLAKE_S3_BUCKET: _bucket, ...rest } = good
    const lines = problemsOf({ ...rest, CSVLAKE_AWS_TIMEOUT_MS: 'soon', CSVLAKE_AWS_MAX_ATTEMPTS: '0', CSVLAKE_ATHENA_MAX_SCANNED_BYTES: '1MB', AWS_ENDPOINT_URL_S3: 'localhost:4569' })
    expect(lines.map((l) => l.split(' ')[1])).toEqual(['CSVLAKE_S3_BUCKET', 'CSVLAKE_ATHENA_MAX_SCANNED_BYTES', 'CSVLAKE_AWS_TIMEOUT_MS', 'CSVLAKE_AWS_MAX_ATTEMPTS', 'AWS_ENDPOINT_URL_S3'])
  })

  it('takes the region from AWS_DEFAULT_REGION when AWS_REGION is unset, and refuses one not shaped as a region', () => {
    const { AWS_REGION: _region, ...rest } = good
    expect(loadAwsConfig({ ...rest, AWS_DEFAULT_REGION: 'us-gov-west-1' }).region).toBe('us-gov-west-1')
    expect(problemsOf({ ...good, AWS_REGION: 'Ireland' })).toEqual([expect.stringMatching(/^- AWS_REGION is malformed \(it is "Ireland"\): a region such as eu-west-1/)])
  })

  it('reads sizes, timeouts and the partition of a non-standard partition', () => {
    const config = loadAwsConfig({
      ...good,
      CSVLAKE_ATHENA_MAX_SCANNED_BYTES: '2GB',
      CSVLAKE_AWS_TIMEOUT_MS: '2500',
      CSVLAKE_AWS_MAX_ATTEMPTS: '5',
      CSVLAKE_TENANT_ROLE_ARN: 'arn:aws-cn:iam::210987654321:role/csvlake-tenant',
    })
    expect(config).toMatchObject({ athena: { maxScannedBytes: 2e9 }, timeoutMs: 2500, maxAttempts: 5, partition: 'aws-cn', account: '210987654321' })
  })

  it('uses path-style requests for an S3-compatible endpoint unless told otherwise, and reads the other services\' endpoints', () => {
    const compatible = loadAwsConfig({ ...good, AWS_ENDPOINT_URL_S3: 'http://127.0.0.1:4569', AWS_ENDPOINT_URL_GLUE: 'http://127.0.0.1:9000' })
    expect(compatible.s3).toEqual({ endpoint: 'http://127.0.0.1:4569', forcePathStyle: true })
    expect(compatible.endpoints).toEqual({ glue: 'http://127.0.0.1:9000' })
    expect(loadAwsConfig({ ...good, AWS_ENDPOINT_URL_S3: 'https://s3.example.com', CSVLAKE_S3_FORCE_PATH_STYLE: 'false' }).s3.forcePathStyle).toBe(false)
    expect(loadAwsConfig({ ...good, CSVLAKE_S3_FORCE_PATH_STYLE: 'true' }).s3).toEqual({ endpoint: undefined, forcePathStyle: true })
  })

  it('takes the EKS settings as a group: none is no EKS, some means all are needed', () => {
    expect(problemsOf({ ...good, CSVLAKE_EKS_CLUSTER: 'csvlake' }).map((l) => l.split(' ')[1])).toEqual([
      'CSVLAKE_EKS_ENDPOINT',
      'CSVLAKE_EKS_CA_DATA',
      'CSVLAKE_EKS_NAMESPACE',
      'CSVLAKE_EKS_SERVICE_ACCOUNT',
      'CSVLAKE_EKS_IMAGE',
    ])
    const eks = {
      CSVLAKE_EKS_CLUSTER: 'csvlake',
      CSVLAKE_EKS_ENDPOINT: 'https://ABC.gr7.eu-west-1.eks.amazonaws.com',
      CSVLAKE_EKS_CA_DATA: 'LS0tLS1CRUdJTg==',
      CSVLAKE_EKS_NAMESPACE: 'csvlake',
      CSVLAKE_EKS_SERVICE_ACCOUNT: 'prepare',
      CSVLAKE_EKS_IMAGE: '123456789012.dkr.ecr.eu-west-1.amazonaws.com/csvlake-prepare:1',
    }
    expect(loadAwsConfig({ ...good, ...eks }).eks).toEqual({
      clusterName: 'csvlake',
      endpoint: eks.CSVLAKE_EKS_ENDPOINT,
      certificateAuthority: eks.CSVLAKE_EKS_CA_DATA,
      namespace: 'csvlake',
      serviceAccount: 'prepare',
      image: eks.CSVLAKE_EKS_IMAGE,
    })
  })
})

describe('bucketNameProblem (S3 general purpose bucket naming rules)', () => {
  it.each([
    ['ab', 'is not 3 to 63 characters long'],
    ['a'.repeat(64), 'is not 3 to 63 characters long'],
    ['Acme', 'has characters other than'],
    ['acme_lake', 'has characters other than'],
    ['-acme', 'does not begin and end'],
    ['acme..lake', 'two adjacent periods'],
    ['192.168.5.4', 'IP address'],
    ['xn--acme', 'prefix xn--'],
    ['sthree-acme', 'prefix sthree-'],
    ['acme-s3alias', 'suffix -s3alias'],
    ['acme--ol-s3', 'suffix --ol-s3'],
  ])('refuses %s', (name, why) => {
    expect(bucketNameProblem(name)).toContain(why)
  })

  it('accepts ordinary names', () => {
    expect(bucketNameProblem('acme-csvlake')).toBeUndefined()
    expect(bucketNameProblem('data.acme.example')).toBeUndefined()
  })
})

describe('local-only settings', () => {
  it('are listed by name, with those this environment sets picked out for a warning', () => {
    expect(LOCAL_ONLY_SETTINGS.map((s) => s.name)).toContain('CSVLAKE_QUERY_MEMORY_LIMIT')
    const localConfig = readFileSync(new URL('../../config.ts', import.meta.url), 'utf8')
    for (const { name } of LOCAL_ONLY_SETTINGS) expect(localConfig, `${name} is read by config.ts`).toMatch(new RegExp(`\\b${name}\\b`))
    expect(ignoredLocalSettings({ ...good, CSVLAKE_DATA_DIR: '/data', CSVLAKE_QUERY_THREADS: '', CSVLAKE_LOCAL_WAIT_MS: '5' })).toEqual(['CSVLAKE_DATA_DIR', 'CSVLAKE_LOCAL_WAIT_MS'])
  })
})
