import { CreateBucketCommand } from '@aws-sdk/client-s3'
import { afterAll, beforeAll } from 'vitest'
import { objectStoreContract } from '../../ports/object-store.contract.ts'
import { startS3rver, type RunningS3rver } from '../../../testing/s3rver.ts'
import { S3ObjectStore } from './s3-object-store.ts'

let s3rver: RunningS3rver
let buckets = 0
beforeAll(async () => {
  s3rver = await startS3rver()
})
afterAll(async () => {
  await s3rver.close()
})

// The SDK's S3 client over real HTTP to s3rver (with its conditional-write layer, testing/s3rver.ts);
// a bucket of its own for each test.
objectStoreContract('S3ObjectStore on s3rver over HTTP', async () => {
  const bucket = `contract-${++buckets}`
  await s3rver.client.send(new CreateBucketCommand({ Bucket: bucket }))
  return { store: new S3ObjectStore({ s3: s3rver.client, bucket }), replica: () => new S3ObjectStore({ s3: s3rver.client, bucket }) }
})
