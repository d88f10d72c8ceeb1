/**
 * Runs work for the same key one at a time, in order - in this process only. Replicas (other
 * processes, functions scaled out) do not see it: what they share is guarded by conditional
 * writes in the store (ObjectStore.putBytes ifMatch / ifNoneMatch); this only spares one
 * process's own callers from conflicting with each other.
 */
export class KeyedLock {
  private readonly tails = new Map<string, Promise<unknown>>()

  async run<T>(key: string, work: () => Promise<T>): Promise<T> {
    const before = this.tails.get(key) ?? Promise.resolve()
    const mine = before.then(work, work)
    const tail = mine.catch(() => undefined)
    this.tails.set(key, tail)
    try {
      return await mine
    } finally {
      if (this.tails.get(key) === tail) this.tails.delete(key)
    }
  }
}
