import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { catalogContract } from '../../ports/catalog.contract.ts'
import { FakeS3 } from '../fake/fake-s3.ts'
import { fakeS3ObjectStore } from '../fake/fake-s3-object-store.ts'
import { DiskObjectStore } from './disk-object-store.ts'
import { StoreCatalog } from './store-catalog.ts'

// A replica is a second StoreCatalog over its own client of the same objects, as another process is.
catalogContract('StoreCatalog over DiskObjectStore', async () => {
  const root = await mkdtemp(join(tmpdir(), 'csvlake-catalog-contract-'))
  const open = () => {
    const store = new DiskObjectStore(root)
    return new StoreCatalog(store, (prefix) => store.version(prefix))
  }
  return { catalog: open(), replica: open, close: () => rm(root, { recursive: true, force: true }) }
})

catalogContract('StoreCatalog over the S3 adapter on FakeS3', async () => {
  const s3 = new FakeS3()
  return { catalog: new StoreCatalog(fakeS3ObjectStore(s3)), replica: () => new StoreCatalog(fakeS3ObjectStore(s3)) }
})
