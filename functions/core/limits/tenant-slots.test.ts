import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { DiskObjectStore } from '../adapters/local/disk-object-store.ts'
import { FakeS3 } from '../adapters/fake/fake-s3.ts'
import { fakeS3ObjectStore } from '../adapters/fake/fake-s3-object-store.ts'
import { sharedSlotsContract, tenantSlotsContract } from '../ports/tenant-slots.contract.ts'
import { InProcessSlots } from './in-process-slots.ts'
import { StoreSlots } from './store-slots.ts'

function clocked<T>(make: (clock: () => number) => T) {
  let now = 1_000_000
  return { make: () => make(() => now), advance: (ms: number) => void (now += ms) }
}

tenantSlotsContract('in process (local mode)', () => {
  const { make, advance } = clocked((clock) => new InProcessSlots(clock))
  const one = make()
  return { replicas: () => one, advance }
})

const overDisk = () => {
  const dir = mkdtempSync(join(tmpdir(), 'csvlake-slots-'))
  const { make, advance } = clocked((clock) => new StoreSlots(new DiskObjectStore(dir), clock))
  return { replicas: make, advance }
}
// S3's conditional writes as the fake answers them (written from the S3 API reference, not recorded).
const overS3 = () => {
  const s3 = new FakeS3()
  const { make, advance } = clocked((clock) => new StoreSlots(fakeS3ObjectStore(s3), clock))
  return { replicas: make, advance }
}

tenantSlotsContract('in the object store, on disk', overDisk)
tenantSlotsContract('in the object store, on an S3-like fake', overS3)
sharedSlotsContract('in the object store, on disk (each replica its own DiskObjectStore over one folder)', overDisk)
sharedSlotsContract('in the object store, on an S3-like fake', overS3)
