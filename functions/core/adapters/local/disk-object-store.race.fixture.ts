// A second process for disk-object-store.test.ts: races the test's own process on one data folder.
// Usage: node --experimental-transform-types disk-object-store.race.fixture.ts <root> <bump|create> <count> <name>
import { updateJson } from '../../json-records.ts'
import { PreconditionFailed } from '../../ports/object-store.ts'
import { DiskObjectStore } from './disk-object-store.ts'

const [root, mode, count, name] = process.argv.slice(2)
const store = new DiskObjectStore(root!)
let won = 0
// Ready, then wait for the go on stdin: the racers start together, whatever their start-up took.
process.stdout.write('ready\n')
await new Promise((resolve) => process.stdin.once('data', resolve))
await Promise.all(
  Array.from({ length: Number(count) }, async (_, i) => {
    if (mode === 'bump') {
      await updateJson<{ n: number }>(store, 'usage/counter.json', (c) => ({ n: (c?.n ?? 0) + 1 }), { attempts: 1000 })
      return
    }
    try {
      await store.putBytes(`jobs/t/race-${i}.json`, name!, { ifNoneMatch: '*' })
      won++
    } catch (err) {
      if (!(err instanceof PreconditionFailed)) throw err
    }
  }),
)
process.stdout.write(JSON.stringify({ won }) + '\n')
process.stdin.destroy()
