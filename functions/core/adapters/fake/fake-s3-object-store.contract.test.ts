import { objectStoreContract } from '../../ports/object-store.contract.ts'
import { FakeS3 } from './fake-s3.ts'
import { fakeS3ObjectStore } from './fake-s3-object-store.ts'

// The S3 adapter through the SDK client, its commands answered by FakeS3 (no HTTP; its HTTP path
// runs the same contract against s3rver in adapters/aws).
objectStoreContract('S3ObjectStore over FakeS3 (SDK client, commands answered in memory)', async () => {
  const s3 = new FakeS3()
  return { store: fakeS3ObjectStore(s3), replica: () => fakeS3ObjectStore(s3) }
})
