import { render, screen, within } from '@testing-library/react'
import { describe, expect, it } from 'vitest'
import type { Job } from '@/lib/api/client'
import { humanize, JobStatus } from './job-status'

const ARN = 'arn:aws:states:eu-central-1:123456789012:execution:csvlake-ingest:j_1'
const NOW = Date.parse('2026-11-27T08:01:00.000Z')

const job = (patch: Partial<Job> = {}): Job => ({
  jobId: 'j_1',
  status: 'RUNNING',
  fileId: 'f_1',
  fileName: 'City People.csv',
  mode: 'create',
  onError: 'fail',
  dialect: { delimiter: ',', quote: '"', escape: '"', header: true, encoding: 'utf-8' },
  startedAt: '2026-11-27T08:00:00.000Z',
  executionArn: ARN,
  steps: [
    { name: 'ValidateInput', type: 'Task', status: 'SUCCEEDED', startedAt: '2026-11-27T08:00:00.000Z', endedAt: '2026-11-27T08:00:02.000Z' },
    { name: 'StartCrawler', type: 'Task', status: 'SUCCEEDED', startedAt: '2026-11-27T08:00:02.000Z', endedAt: '2026-11-27T08:00:10.000Z', retries: 2 },
    { name: 'WaitForCrawler', type: 'Wait', status: 'SUCCEEDED', startedAt: '2026-11-27T08:00:10.000Z', endedAt: '2026-11-27T08:00:40.000Z', passes: 3 },
    { name: 'LoadRows', type: 'Task', status: 'RUNNING', startedAt: '2026-11-27T08:00:40.000Z' },
  ],
  table: { name: 'city_people' },
  ...patch,
})

const steps = () => within(screen.getByRole('list', { name: 'Workflow steps' })).getAllByRole('listitem')
const step = (name: string) => steps().find((li) => li.dataset.step === name)!

describe('JobStatus', () => {
  it('shows a running job with each step in order and its status', () => {
    render(<JobStatus job={job()} now={NOW} />)
    expect(screen.getByTestId('job-status')).toHaveTextContent('Running')
    expect(steps().map((li) => [li.dataset.step, li.dataset.status])).toEqual([
      ['ValidateInput', 'SUCCEEDED'],
      ['StartCrawler', 'SUCCEEDED'],
      ['WaitForCrawler', 'SUCCEEDED'],
      ['LoadRows', 'RUNNING'],
    ])
    expect(within(step('StartCrawler')).getByText('Start crawler')).toBeInTheDocument()
    expect(within(step('LoadRows')).getByLabelText('running')).toBeInTheDocument()
    expect(within(step('ValidateInput')).getByLabelText('succeeded')).toBeInTheDocument()
  })

  it("shows each step's duration, a running one up to now", () => {
    render(<JobStatus job={job()} now={NOW} />)
    expect(step('ValidateInput')).toHaveTextContent('2.00 s')
    expect(step('WaitForCrawler')).toHaveTextContent('30.0 s')
    expect(step('LoadRows')).toHaveTextContent('20.0 s')
    // The whole job, still running: 1 minute so far.
    expect(screen.getByText('Duration').parentElement).toHaveTextContent('1 min 0 s')
  })

  it('marks steps that took several passes or were retried', () => {
    render(<JobStatus job={job()} now={NOW} />)
    expect(within(step('WaitForCrawler')).getByText('3 passes')).toBeInTheDocument()
    expect(within(step('StartCrawler')).getByText('2 retries')).toBeInTheDocument()
    expect(within(step('ValidateInput')).queryByText(/passes|retr/)).not.toBeInTheDocument()
  })

  it('says "1 retry" for a single retry, and shows no passes badge for one pass', () => {
    const one = job({ steps: [{ name: 'LoadRows', type: 'Task', status: 'RUNNING', startedAt: '2026-11-27T08:00:00.000Z', retries: 1, passes: 1 }] })
    render(<JobStatus job={one} now={NOW} />)
    expect(within(step('LoadRows')).getByText('1 retry')).toBeInTheDocument()
    expect(within(step('LoadRows')).queryByText(/pass/)).not.toBeInTheDocument()
  })

  it('says the workflow is starting when a running job has no steps yet', () => {
    render(<JobStatus job={job({ steps: [] })} now={NOW} />)
    expect(screen.getByText('Starting the workflow…')).toBeInTheDocument()
  })

  it('shows the error of a failed job with its line, column and value', () => {
    const failed = job({
      status: 'FAILED',
      endedAt: '2026-11-27T08:00:30.000Z',
      steps: [
        { name: 'LoadRows', type: 'Task', status: 'FAILED', startedAt: '2026-11-27T08:00:00.000Z', endedAt: '2026-11-27T08:00:30.000Z', error: 'States.TaskFailed' },
      ],
      error: { code: 'BAD_ROW', message: 'Could not convert "abc" to BIGINT', line: 42, column: 'age', value: 'abc' },
    })
    render(<JobStatus job={failed} now={NOW} />)
    expect(screen.getByTestId('job-status')).toHaveTextContent('Failed')
    const alert = screen.getByRole('alert')
    expect(alert).toHaveTextContent('The load failed; nothing was added to city_people')
    expect(alert).toHaveTextContent('Could not convert "abc" to BIGINT')
    expect(alert).toHaveTextContent('line 42 · column age · value "abc"')
    expect(step('LoadRows')).toHaveAttribute('data-status', 'FAILED')
    expect(within(step('LoadRows')).getByText('States.TaskFailed')).toBeInTheDocument()
    expect(screen.queryByRole('link', { name: /Query/ })).not.toBeInTheDocument()
  })

  it('shows the error of a failed job that names no place without a place line', () => {
    const failed = job({ status: 'FAILED', endedAt: '2026-11-27T08:00:30.000Z', error: { code: 'CRAWLER', message: 'The crawler timed out' } })
    render(<JobStatus job={failed} now={NOW} />)
    const alert = screen.getByRole('alert')
    expect(alert).toHaveTextContent('The crawler timed out')
    expect(alert).not.toHaveTextContent(/line|column|value/)
  })

  it('shows the rows loaded and a link to query the table when it succeeded', () => {
    const done = job({
      status: 'SUCCEEDED',
      endedAt: '2026-11-27T08:00:50.000Z',
      table: { name: 'city people', columns: [{ name: 'a', type: 'bigint' }, { name: 'b', type: 'varchar' }], rowCount: 99 },
      rows: {
        read: 12_348,
        loaded: 12_345,
        rejected: 3,
        rejectedRows: [
          { line: 7, column: 'a', value: 'x', message: 'not a number' },
          { line: 9, column: 'a', value: 'y', message: 'not a number' },
          { line: 11, column: 'a', value: 'z', message: 'not a number' },
        ],
      },
    })
    render(<JobStatus job={done} now={NOW} />)
    expect(screen.getByTestId('job-status')).toHaveTextContent('Succeeded')
    expect(screen.getByText(/is ready: 12,345 rows loaded, 2 columns/)).toBeInTheDocument()
    expect(screen.getByText(/3 rows were skipped, e\.g\. line 7: not a number/)).toBeInTheDocument()
    expect(screen.getByRole('link', { name: 'Query city people' })).toHaveAttribute('href', '/query/?table=city%20people')
    expect(screen.queryByRole('alert')).not.toBeInTheDocument()
  })

  it('says "1 row was skipped" when one row was skipped', () => {
    const done = job({
      status: 'SUCCEEDED',
      endedAt: '2026-11-27T08:00:50.000Z',
      rows: { read: 11, loaded: 10, rejected: 1, rejectedRows: [{ line: 4, column: 'age', value: 'x', message: 'not a number' }] },
    })
    render(<JobStatus job={done} now={NOW} />)
    const note = screen.getByText(/skipped/)
    expect(note).toHaveTextContent(/\b1 row was skipped\b/)
    expect(note).toHaveTextContent('line 4: not a number')
  })

  it("falls back to the table's row count when the job has no row counts", () => {
    const done = job({ status: 'SUCCEEDED', endedAt: '2026-11-27T08:00:50.000Z', table: { name: 'city_people', rowCount: 1500 } })
    render(<JobStatus job={done} now={NOW} />)
    expect(screen.getByText(/city_people is ready: 1,500 rows loaded/)).toBeInTheDocument()
    expect(screen.queryByText(/skipped/)).not.toBeInTheDocument()
  })

  it('links to the execution in the Step Functions console when the API gives its page (aws mode), in a new tab', () => {
    const consoleUrl = `https://eu-central-1.console.aws.amazon.com/states/home?region=eu-central-1#/v2/executions/details/${ARN}`
    render(<JobStatus job={job({ consoleUrl })} now={NOW} />)
    const link = screen.getByRole('link', { name: /Open in Step Functions console/ })
    expect(link).toHaveAttribute('href', consoleUrl)
    expect(link).toHaveAttribute('target', '_blank')
    expect(link).toHaveAttribute('rel', 'noopener noreferrer')
  })

  it('shows no console link when the API gives none (local mode)', () => {
    render(<JobStatus job={job()} now={NOW} />)
    expect(screen.queryByRole('link', { name: /Step Functions console/ })).not.toBeInTheDocument()
  })
})

describe('humanize', () => {
  it('turns a state name into words', () => {
    expect(humanize('StartCrawler')).toBe('Start crawler')
    expect(humanize('LoadRows')).toBe('Load rows')
    expect(humanize('ValidateCSVHeader')).toBe('Validate csv header')
    expect(humanize('done')).toBe('done')
  })

  it('offers to load a failed file again skipping the rows that do not fit, when the error names a line', async () => {
    const failed = job({ status: 'FAILED', error: { code: 'BAD_ROW', message: 'Line 4: expected 2 columns, found 1', line: 4 } })
    const retries: number[] = []
    const { rerender } = render(<JobStatus job={failed} now={NOW} onRetrySkipping={() => retries.push(1)} />)
    screen.getByRole('button', { name: 'Load again, skipping rows that do not fit' }).click()
    expect(retries).toEqual([1])
    // An error with no line (e.g. the crawler failed) is not about rows: no such offer.
    rerender(<JobStatus job={job({ status: 'FAILED', error: { code: 'CRAWL_FAILED', message: 'The crawler failed' } })} now={NOW} onRetrySkipping={() => retries.push(1)} />)
    expect(screen.queryByRole('button', { name: /Load again/ })).toBeNull()
  })

  it('does not repeat the error on the final Fail state, which the alert already shows', () => {
    const failed = job({
      status: 'FAILED',
      error: { code: 'BAD_ROW', message: 'Line 4: bad' , line: 4 },
      steps: [
        { name: 'ConvertToParquet', type: 'Task', status: 'FAILED', startedAt: '2026-11-27T08:00:00.000Z', endedAt: '2026-11-27T08:00:01.000Z', error: 'Line 4: bad' },
        { name: 'IngestFailed', type: 'Fail', status: 'FAILED', startedAt: '2026-11-27T08:00:01.000Z', endedAt: '2026-11-27T08:00:01.000Z', error: 'Line 4: bad' },
      ],
    })
    render(<JobStatus job={failed} now={NOW} />)
    expect(within(step('ConvertToParquet')).getByText('Line 4: bad')).toBeInTheDocument()
    expect(within(step('IngestFailed')).queryByText('Line 4: bad')).toBeNull()
  })
})

