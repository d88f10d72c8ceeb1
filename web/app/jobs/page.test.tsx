import { render, screen, within } from '@testing-library/react'
import userEvent from '@testing-library/user-event'
import { beforeEach, describe, expect, it, vi } from 'vitest'
import type { Api, Job } from '@/lib/api/client'
import { ReadySessionProvider } from '@/lib/auth'
import JobsPage from './page'

const navigation = vi.hoisted(() => ({ params: new URLSearchParams() }))
vi.mock('next/navigation', () => ({ useSearchParams: () => navigation.params, useRouter: () => ({ push: vi.fn() }) }))

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

function renderWith(jobs: Api['jobs'], more: { job?: Api['job']; mode?: 'local' | 'aws' } = {}) {
  const api = { jobs, job: more.job } as unknown as Api
  return render(
    <ReadySessionProvider session={{ status: 'ready', api, config: { mode: more.mode ?? 'local', identity: { enabled: false }, maxUploadBytes: 1024 }, user: null, signOut: null }}>
      <JobsPage />
    </ReadySessionProvider>,
  )
}

describe('the jobs page', () => {
  beforeEach(() => {
    navigation.params = new URLSearchParams()
  })

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

  describe('one job (?id=)', () => {
    const ARN = 'arn:aws:states:eu-west-1:123456789012:execution:csvlake-ingest:j_00000000000000000000000000000001'
    const URL = `https://eu-west-1.console.aws.amazon.com/states/home?region=eu-west-1#/v2/executions/details/${ARN}`
    const unused = async () => ({ jobs: [] })

    it('links an aws job to its execution in the Step Functions console, once, in a new tab', async () => {
      navigation.params = new URLSearchParams({ id: job(1).jobId })
      renderWith(unused, { mode: 'aws', job: async () => ({ ...job(1), executionArn: ARN, consoleUrl: URL }) })
      const link = await screen.findByRole('link', { name: 'Open in Step Functions console' })
      expect(link).toHaveAttribute('href', URL)
      expect(link).toHaveAttribute('target', '_blank')
      expect(link).toHaveAttribute('rel', 'noopener noreferrer')
      expect(screen.getAllByRole('link', { name: /Step Functions console/ })).toHaveLength(1)
      expect(screen.getByTestId('job-status')).toHaveTextContent('Succeeded')
    })

    it('shows no console link for a local job', async () => {
      navigation.params = new URLSearchParams({ id: job(1).jobId })
      renderWith(unused, { job: async () => job(1) })
      await screen.findByTestId('job-status')
      expect(screen.queryByRole('link', { name: /Step Functions console/ })).not.toBeInTheDocument()
    })
  })
})
