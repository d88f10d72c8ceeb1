import { objectStoreContract } from '../../ports/object-store.contract.ts'
import { FakeS3 } from './fake-s3.ts'
import { FakeS3ObjectStore } from './fake-s3-object-store.ts'

// Small parts, so the contract's failing body runs as a multipart upload that is aborted.
const PART = 16 * 1024

objectStoreContract('FakeS3ObjectStore', async () => {
  const s3 = new FakeS3({ minPartBytes: PART })
  return { store: new FakeS3ObjectStore(s3, PART), replica: () => new FakeS3ObjectStore(s3, PART) }
})
