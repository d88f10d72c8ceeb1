// In the tests, response bodies are checked by assertions (toEqual, toMatchObject), not by the
// compiler: let `await res.json()` be read freely there. No production code calls fetch.
declare global {
  interface Response {
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    json(): Promise<any>
  }
}
export {}
