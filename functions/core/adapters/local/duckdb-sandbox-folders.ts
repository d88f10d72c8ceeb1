import { join } from 'node:path'
import { keys } from '../../keys.ts'
import type { TenantId } from '../../tenant.ts'

/**
 * The folders of a tenant's sandbox: what its instance may read (its tables and its query
 * results) and where it spills (`temp`, one sub-folder per sandbox process). Apart from the
 * sandbox itself, so the serving process can watch and clear them without loading DuckDB.
 */
export function sandboxFolders(dataDir: string, tenant: TenantId) {
  return {
    lake: join(dataDir, keys.lakeTenant(tenant)),
    results: join(dataDir, keys.resultsTenant(tenant)),
    temp: join(dataDir, 'tmp', tenant),
  }
}
