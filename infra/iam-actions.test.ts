import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { beforeAll, describe, expect, it } from 'vitest'
import { loadConfiguration, unresolvedReferences } from './hcl.ts'
import { actionsOfTask, iamActionsOf, roleActions, sdkCallsIn, sdkOperations, stateMachineActions, tenantScopedServices, type Operations } from './iam-actions.ts'

let operations: Operations
beforeAll(async () => {
  operations = await sdkOperations()
}, 60_000)

describe('iam-actions: SDK calls found in source', () => {
  it("reads each service's operations from the installed SDK packages", () => {
    expect(operations.s3.has('GetObject')).toBe(true)
    expect(operations.glue.has('CreateDatabase')).toBe(true)
    expect(operations.sfn.has('StartExecution')).toBe(true)
    expect(operations.s3.has('Command')).toBe(false)
  })

  it('finds `new <Op>Command(`, `new Upload(` and methods of an imported port type, and nothing in comments or strings', () => {
    const source = `
      import { CopyObjectCommand, S3Client } from '@aws-sdk/client-s3'
      import { Upload } from '@aws-sdk/lib-storage'
      import type { GlueApi } from './glue-api.ts'
      // glue.deleteDatabase({ Name }) would need glue:DeleteDatabase
      const text = 'glue.batchDeleteTable('
      export async function f(s3: S3Client, glue: GlueApi) {
        await s3.send(new CopyObjectCommand({ Bucket: 'b', Key: 'k', CopySource: 'x' }))
        await new Upload({ client: s3, params: { Bucket: 'b', Key: 'k', Body: 'x' } }).done()
        await glue.getPartitions({ DatabaseName: 'd', TableName: 't' })
        return [1, 2].map((n) => n).sort()
      }`
    const calls = sdkCallsIn('f.ts', source, operations).map((c) => `${c.service}:${c.operation}`)
    expect(calls.sort()).toEqual(
      ['glue:GetPartitions', 's3:AbortMultipartUpload', 's3:CompleteMultipartUpload', 's3:CopyObject', 's3:CreateMultipartUpload', 's3:PutObject', 's3:UploadPart'].sort(),
    )
  })

  it('refuses a method two imported services both have, instead of guessing', () => {
    const source = `
      import type { GlueApi } from './glue-api.ts'
      import type { AthenaApi } from './athena-api.ts'
      export const f = (api: GlueApi | AthenaApi) => (api as any).tagResource({})`
    expect(() => sdkCallsIn('f.ts', source, operations)).toThrow(/tagResource\( is an operation of/)
  })

  it('maps S3 operations to the IAM actions that allow them, and Athena queries to what Athena does as the caller', () => {
    expect(iamActionsOf('s3', 'HeadObject')).toEqual(['s3:GetObject'])
    expect(iamActionsOf('s3', 'ListObjectsV2')).toEqual(['s3:ListBucket'])
    expect(iamActionsOf('s3', 'DeleteObjects')).toEqual(['s3:DeleteObject'])
    expect(iamActionsOf('sfn', 'StartExecution')).toEqual(['states:StartExecution'])
    expect(iamActionsOf('athena', 'StartQueryExecution')).toEqual(expect.arrayContaining(['athena:StartQueryExecution', 'glue:GetTable', 's3:PutObject']))
  })

  it("gives the tenant role the services whose clients are built with the tenant's credentials, and the function role the rest", () => {
    const credentials = `
      import { Athena } from '@aws-sdk/client-athena'
      import { Glue } from '@aws-sdk/client-glue'
      import { AssumeRoleCommand, type STSClient } from '@aws-sdk/client-sts'
      export async function f(sts: STSClient, credentials: unknown) {
        await sts.send(new AssumeRoleCommand({ RoleArn: 'r', RoleSessionName: 's' }))
        return { glue: new Glue({ region: 'x', credentials }), athena: new Athena({ region: 'x' }) }
      }`
    expect([...tenantScopedServices(credentials)]).toEqual(['glue'])
    const catalog = `import type { GlueApi } from './glue-api.ts'\nexport const f = (glue: GlueApi) => glue.createDatabase({ DatabaseInput: { Name: 'd' } })`
    const derived = roleActions([{ file: 'x/tenant-credentials.ts', text: credentials }, { file: 'x/glue-catalog.ts', text: catalog }], operations)
    expect(derived.tenant).toEqual(['glue:CreateDatabase'])
    expect(derived.function).toEqual(['sts:AssumeRole'])
  })
})

describe('iam-actions: Task states of an ASL definition', () => {
  it('maps SDK integrations, Athena .sync and eks:runJob, nested Map states included', () => {
    const definition = {
      States: {
        A: { Type: 'Task', Resource: 'arn:aws:states:::aws-sdk:glue:startCrawler' },
        B: { Type: 'Map', ItemProcessor: { States: { C: { Type: 'Task', Resource: 'arn:aws:states:::aws-sdk:s3:deleteObjects' } } } },
        D: { Type: 'Task', Resource: 'arn:aws:states:::eks:runJob.sync' },
        E: { Type: 'Pass' },
      },
    }
    expect(stateMachineActions(definition)).toEqual(['glue:StartCrawler', 's3:DeleteObject'])
    expect(actionsOfTask('arn:aws:states:::athena:startQueryExecution.sync')).toEqual(expect.arrayContaining(['athena:GetQueryExecution', 'athena:StopQueryExecution']))
  })

  it('refuses a Task resource it has no mapping for', () => {
    expect(() => actionsOfTask('arn:aws:states:::lambda:invoke')).toThrow(/no IAM mapping/)
  })
})

describe('hcl: the reference check', () => {
  it('reports a variable, local, module output and resource that are not declared', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'csvlake-hcl-'))
    try {
      writeFileSync(
        join(dir, 'main.tf'),
        `variable "name" {\n  type = string\n}\nlocals {\n  a = var.name\n}\nresource "aws_s3_bucket" "b" {\n  bucket = "\${local.a}-\${var.nope}"\n  tags   = { x = local.missing, y = aws_s3_bucket.c.id, z = module.m.out }\n}\n`,
      )
      const mods = await loadConfiguration(dir)
      const problems = await unresolvedReferences(mods.get(dir)!, mods)
      expect(problems.map((p) => p.replace(/^.*: /, ''))).toEqual(['var.nope (no variable nope)', 'local.missing (no local missing)', 'aws_s3_bucket.c.id (no resource aws_s3_bucket.c)', 'module.m.out (no module m)'])
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })
})
