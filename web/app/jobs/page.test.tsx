import { render, screen, within } from '@testing-library/react'
import userEvent from '@testing-library/user-event'
import { describe, expect, it, vi } from 'vitest'
import type { Api, Job } from '@/lib/api/client'
import { ReadySessionProvider } from '@/lib/auth'
import JobsPage from './page'

vi.mock('next/navigation', () => ({ useSearchParams: () => new URLSearchParams(), useRouter: () => ({ push: vi.fn() }) }))

const job = (n: number): Job => ({
  jobId: `j_${String(n).padStart(32, '0')}`,
  status: 'SUCCEEDED',
  fileId: `f_${String(n).padStart(32, '0')}`,
  fileName: `file-${n}.csv`,
  mode: 'create',
  onError: 'fail',
  dialect: { delimiter: ',', quote: '"', escape: '"', header: true, encoding: 'utf-8' },
  startedAt: new Date().toISOString(),
  executionArn: 'local',
  steps: [],
  table: { name: `table_${n}` },
})

function renderWith(jobs: Api['jobs']) {
  const api = { jobs } as unknown as Api
  return render(
    <ReadySessionProvider session={{ status: 'ready', api, config: { mode: 'local', identity: { enabled: false }, maxUploadBytes: 1024 }, user: null, signOut: null }}>
      <JobsPage />
    </ReadySessionProvider>,
  )
}

describe('the jobs page', () => {
  it('shows the newest jobs, and the older ones a page at a time on Load more', async () => {
    const jobs = vi.fn(async (token?: string) => (token === undefined ? { jobs: [job(3), job(2)], nextToken: 'next' } : { jobs: [job(1)] }))
    renderWith(jobs)
    const table = await screen.findByRole('table', { name: 'Jobs' })
    expect(within(table).getAllByRole('row').slice(1).map((r) => within(r).getAllByRole('cell')[0]!.textContent)).toEqual(['file-3.csv', 'file-2.csv'])
    await userEvent.click(screen.getByRole('button', { name: 'Load more' }))
    await screen.findByText('file-1.csv')
    expect(jobs).toHaveBeenLastCalledWith('next')
    expect(within(table).getAllByRole('row')).toHaveLength(4)
    expect(screen.queryByRole('button', { name: 'Load more' })).not.toBeInTheDocument()
  })

  it('offers no Load more when one page holds every job', async () => {
    renderWith(async () => ({ jobs: [job(1)] }))
    await screen.findByText('file-1.csv')
    expect(screen.queryByRole('button', { name: 'Load more' })).not.toBeInTheDocument()
  })
})
