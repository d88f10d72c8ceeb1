import { Readable } from 'node:stream'
import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CreateMultipartUploadCommand,
  DeleteObjectCommand,
  DeleteObjectsCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client,
  UploadPartCommand,
} from '@aws-sdk/client-s3'
import { mockClient } from 'aws-sdk-client-mock'
import { S3ObjectStore } from '../aws/s3-object-store.ts'
import type { FakeS3 } from './fake-s3.ts'

type Input = Record<string, unknown>

/**
 * An SDK S3 client whose commands FakeS3 answers (aws-sdk-client-mock replaces its `send`, so no
 * HTTP, signing or retries): the S3 adapter itself, over an S3 in memory, for tests that need a
 * store that behaves like S3 (conditional writes, paged and eventual listings, injected faults)
 * without a server. The adapter's HTTP path is tested against s3rver.
 */
export function fakeS3Client(fake: FakeS3): S3Client {
  const client = new S3Client({ region: 'us-east-1', credentials: { accessKeyId: 'fake', secretAccessKey: 'fake' } })
  const mock = mockClient(client)
  const bytes = (body: unknown) => (typeof body === 'string' ? Buffer.from(body) : (body as Uint8Array))
  mock.on(PutObjectCommand).callsFake((input: Input) => fake.putObject({ ...(input as { Key: string }), Body: bytes(input.Body) }))
  mock.on(GetObjectCommand).callsFake(async (input: Input) => {
    const read = await fake.getObject(input as { Key: string; Range?: string })
    return { ...read, Body: Readable.from([Buffer.from(read.Body)]) }
  })
  mock.on(HeadObjectCommand).callsFake((input: Input) => fake.headObject(input as { Key: string }))
  mock.on(ListObjectsV2Command).callsFake((input: Input) => fake.listObjectsV2(input as Parameters<FakeS3['listObjectsV2']>[0]))
  mock.on(DeleteObjectCommand).callsFake((input: Input) => fake.deleteObject(input as { Key: string }))
  mock.on(DeleteObjectsCommand).callsFake((input: Input) => fake.deleteObjects(input as Parameters<FakeS3['deleteObjects']>[0]))
  mock.on(CreateMultipartUploadCommand).callsFake((input: Input) => fake.createMultipartUpload(input as { Key: string }))
  mock.on(UploadPartCommand).callsFake((input: Input) => fake.uploadPart({ ...(input as { Key: string; UploadId: string; PartNumber: number }), Body: bytes(input.Body) }))
  mock.on(CompleteMultipartUploadCommand).callsFake((input: Input) => fake.completeMultipartUpload(input as Parameters<FakeS3['completeMultipartUpload']>[0]))
  mock.on(AbortMultipartUploadCommand).callsFake((input: Input) => fake.abortMultipartUpload(input as { Key: string; UploadId: string }))
  return client
}

/** The S3 adapter over FakeS3: the AWS-like fake of the ObjectStore port. */
export function fakeS3ObjectStore(fake: FakeS3, opts: { partBytes?: number } = {}): S3ObjectStore {
  return new S3ObjectStore({ s3: fakeS3Client(fake), bucket: 'fake-bucket', ...opts })
}
