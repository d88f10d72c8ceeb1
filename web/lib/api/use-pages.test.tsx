import { act, renderHook, waitFor } from '@testing-library/react'
import { describe, expect, it, vi } from 'vitest'
import { usePages } from './use-pages'

type Page = { items: number[]; nextToken?: string }

describe('usePages', () => {
  it('loads the first page, then appends the next on loadMore until there is no token', async () => {
    const load = vi.fn(async (token?: string): Promise<Page> => (token === undefined ? { items: [3, 2], nextToken: 't1' } : { items: [1] }))
    const { result } = renderHook(() => usePages(load, []))
    await waitFor(() => expect(result.current.items).toEqual([3, 2]))
    expect(result.current.more).toBe(true)
    act(() => result.current.loadMore())
    await waitFor(() => expect(result.current.items).toEqual([3, 2, 1]))
    expect(result.current.more).toBe(false)
    expect(load).toHaveBeenLastCalledWith('t1')
  })

  it('goes back to the first page on reload', async () => {
    const load = vi.fn(async (token?: string): Promise<Page> => (token === undefined ? { items: [2], nextToken: 't' } : { items: [1] }))
    const { result } = renderHook(() => usePages(load, []))
    await waitFor(() => expect(result.current.items).toEqual([2]))
    act(() => result.current.loadMore())
    await waitFor(() => expect(result.current.items).toEqual([2, 1]))
    act(() => result.current.reload())
    await waitFor(() => expect(result.current.items).toEqual([2]))
    expect(result.current.more).toBe(true)
  })

  it('keeps what it has when a next page fails, with the reason', async () => {
    const load = vi.fn(async (token?: string): Promise<Page> => {
      if (token === undefined) return { items: [2], nextToken: 't' }
      throw new Error('busy')
    })
    const { result } = renderHook(() => usePages(load, []))
    await waitFor(() => expect(result.current.items).toEqual([2]))
    act(() => result.current.loadMore())
    await waitFor(() => expect(result.current.moreError).toBe('busy'))
    expect(result.current.items).toEqual([2])
    expect(result.current.error).toBeUndefined()
    expect(result.current.more).toBe(true)
  })
})
