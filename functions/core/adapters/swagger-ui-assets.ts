import { readFile } from 'node:fs/promises'
import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'

/**
 * The docs page's assets, read from the swagger-ui-dist package installed beside the code. Not
 * under local/: both modes read them so (a docs function's image carries the package). The folder
 * is found once, when the docs app is built, as it was before this moved out of functions/docs/.
 */
export function swaggerUiAssets(): { read(name: string): Promise<Uint8Array<ArrayBuffer>> } {
  const dir = dirname(createRequire(import.meta.url).resolve('swagger-ui-dist/package.json'))
  return { read: (name) => readFile(join(dir, name)) }
}
