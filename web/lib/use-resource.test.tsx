import { act, renderHook, waitFor } from '@testing-library/react'
import { describe, expect, it, vi } from 'vitest'
import { useResource } from './use-resource'

function deferred<T>() {
  let resolve!: (value: T) => void
  let reject!: (error: unknown) => void
  const promise = new Promise<T>((res, rej) => ((resolve = res), (reject = rej)))
  return { promise, resolve, reject }
}

describe('useResource', () => {
  it('is loading, then has the data', async () => {
    const load = deferred<string[]>()
    const { result } = renderHook(() => useResource(() => load.promise, []))
    expect(result.current).toMatchObject({ loading: true, data: undefined, error: undefined })
    await act(async () => load.resolve(['a']))
    expect(result.current).toMatchObject({ loading: false, data: ['a'], error: undefined })
  })

  it('has the error when loading fails, as an Error', async () => {
    const { result } = renderHook(() => useResource(() => Promise.reject('the API is down'), []))
    await waitFor(() => expect(result.current.loading).toBe(false))
    expect(result.current.error).toBeInstanceOf(Error)
    expect(result.current.error?.message).toBe('the API is down')
  })

  it('loads again on reload()', async () => {
    const load = vi.fn().mockResolvedValueOnce(1).mockResolvedValueOnce(2)
    const { result } = renderHook(() => useResource<number>(load, []))
    await waitFor(() => expect(result.current.data).toBe(1))
    act(() => result.current.reload())
    await waitFor(() => expect(result.current.data).toBe(2))
    expect(load).toHaveBeenCalledTimes(2)
  })

  it('clears an earlier error once a load succeeds', async () => {
    const load = vi.fn().mockRejectedValueOnce(new Error('down')).mockResolvedValueOnce('ok')
    const { result } = renderHook(() => useResource<string>(load, []))
    await waitFor(() => expect(result.current.error?.message).toBe('down'))
    act(() => result.current.reload())
    await waitFor(() => expect(result.current.data).toBe('ok'))
    expect(result.current.error).toBeUndefined()
  })

  it('keeps the answer for the latest key when an older one comes last', async () => {
    const answers: Record<string, ReturnType<typeof deferred<string>>> = { a: deferred<string>(), b: deferred<string>() }
    const { result, rerender } = renderHook(({ id }) => useResource(() => answers[id]!.promise, [id]), { initialProps: { id: 'a' } })
    rerender({ id: 'b' })
    await act(async () => answers.b!.resolve('B'))
    await act(async () => answers.a!.resolve('A'))
    expect(result.current.data).toBe('B')
    expect(result.current.loading).toBe(false)
  })
})
