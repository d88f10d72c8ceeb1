import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { objectStoreContract } from '../../ports/object-store.contract.ts'
import { DiskObjectStore } from './disk-object-store.ts'

// A replica is a second DiskObjectStore over the same folder, as a second process would open it.
objectStoreContract('DiskObjectStore', async () => {
  const root = await mkdtemp(join(tmpdir(), 'csvlake-store-contract-'))
  return {
    store: new DiskObjectStore(root),
    replica: () => new DiskObjectStore(root),
    close: () => rm(root, { recursive: true, force: true }),
  }
})
