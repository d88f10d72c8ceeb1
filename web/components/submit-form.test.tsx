import { act, render, screen } from '@testing-library/react'
import userEvent from '@testing-library/user-event'
import { describe, expect, it, vi } from 'vitest'
import { ApiError, type Column, type SubmitBody, type Submitted } from '@/lib/api/client'
import { SubmitForm } from './submit-form'

const submitted = (table: string): Submitted => ({ jobId: 'j_1', status: 'RUNNING', table, executionArn: 'arn:aws:states:eu-west-1:123:execution:ingest:j_1' })

function setup({
  fileName = 'City People.csv',
  tables = [] as string[],
  fileColumns = undefined as Column[] | undefined,
  tableColumns = undefined as Record<string, Column[]> | undefined,
  submit = vi.fn(async (body: SubmitBody) => submitted(body.table ?? '')),
} = {}) {
  const onSubmitted = vi.fn()
  const user = userEvent.setup()
  render(
    <SubmitForm fileId="f_1" fileName={fileName} tables={tables} fileColumns={fileColumns} tableColumns={tableColumns} submit={submit} onSubmitted={onSubmitted} />,
  )
  const name = screen.getByLabelText('Table name')
  const button = () => screen.getByRole('button', { name: /^(Load into|Starting)/ })
  return { user, submit, onSubmitted, name, button }
}

const hint = () => document.getElementById('table-name-hint')!

describe('SubmitForm', () => {
  it('suggests the table name from the file name', () => {
    const { name, button } = setup({ fileName: 'City People.csv' })
    expect(name).toHaveValue('city_people')
    expect(button()).toHaveTextContent('Load into city_people')
    expect(button()).toBeEnabled()
    expect(screen.getByRole('radio', { name: /Create/ })).toBeChecked()
  })

  it.each([
    ['Order', 'Table names use lower-case letters, digits and _, start with a letter or _, at most 64 characters'],
    ['select', 'This is an SQL keyword, so every query would have to quote it; add a word, e.g. orders instead of order'],
    ['1abc', 'Table names use lower-case letters, digits and _, start with a letter or _, at most 64 characters'],
    ['', 'Give the table a name'],
  ])('refuses the name %j with its reason and a disabled button', async (typed, message) => {
    const { user, name, button, submit } = setup()
    await user.clear(name)
    if (typed) await user.type(name, typed)
    expect(hint()).toHaveTextContent(message)
    expect(name).toHaveAttribute('aria-invalid', 'true')
    expect(button()).toBeDisabled()
    await user.click(button())
    expect(submit).not.toHaveBeenCalled()
  })

  it('accepts a valid name again after an invalid one', async () => {
    const { user, name, button } = setup()
    await user.clear(name)
    await user.type(name, 'Sales')
    expect(button()).toBeDisabled()
    await user.clear(name)
    await user.type(name, 'sales_2024')
    expect(name).not.toHaveAttribute('aria-invalid')
    expect(hint()).toHaveTextContent('Lower-case letters, digits and _')
    expect(button()).toBeEnabled()
    expect(button()).toHaveTextContent('Load into sales_2024')
  })

  it('says so when Create names a table that exists', async () => {
    const { user, name, button } = setup({ tables: ['orders'] })
    await user.clear(name)
    await user.type(name, 'orders')
    expect(screen.getByRole('radio', { name: /Create/ })).toBeChecked()
    expect(hint()).toHaveTextContent('A table named orders exists: choose Append or Replace, or another name')
    expect(button()).toBeDisabled()
    await user.click(screen.getByRole('radio', { name: /Append/ }))
    expect(hint()).toHaveTextContent('orders exists: its rows are kept unless you replace them')
    expect(button()).toBeEnabled()
  })

  it('says so when Append or Replace names a table that does not exist', async () => {
    const { user, button } = setup({ tables: [] })
    await user.click(screen.getByRole('radio', { name: /Replace/ }))
    expect(hint()).toHaveTextContent('There is no table named city_people yet: choose Create')
    expect(button()).toBeDisabled()
  })

  it('chooses Append when the suggested table exists', () => {
    const { button } = setup({ fileName: 'orders.csv', tables: ['orders', 'people'] })
    expect(screen.getByRole('radio', { name: /Append/ })).toBeChecked()
    expect(screen.getByRole('radio', { name: /Create/ })).not.toBeChecked()
    expect(button()).toBeEnabled()
  })

  it('submits the file, table and mode, then hands on what was submitted', async () => {
    const { user, button, submit, onSubmitted } = setup({ tables: ['city_people'] })
    await user.click(screen.getByRole('radio', { name: /Replace/ }))
    await user.click(button())
    expect(submit).toHaveBeenCalledExactlyOnceWith({ fileId: 'f_1', table: 'city_people', mode: 'replace', onError: 'fail' })
    expect(onSubmitted).toHaveBeenCalledExactlyOnceWith(submitted('city_people'))
  })

  it("asks to skip bad rows when the box is ticked", async () => {
    const { user, button, submit, onSubmitted } = setup()
    await user.click(screen.getByRole('checkbox', { name: /Skip rows that do not fit/ }))
    await user.click(button())
    expect(submit).toHaveBeenCalledExactlyOnceWith({ fileId: 'f_1', table: 'city_people', mode: 'create', onError: 'skip' })
    expect(onSubmitted).toHaveBeenCalledTimes(1)
  })

  it('submits with Enter in the name field', async () => {
    const { user, name, submit } = setup()
    await user.type(name, '_v2{Enter}')
    expect(submit).toHaveBeenCalledWith(expect.objectContaining({ table: 'city_people_v2' }))
  })

  it('shows the button busy while the submit is on its way', async () => {
    let finish: (s: Submitted) => void = () => {}
    const submit = vi.fn(() => new Promise<Submitted>((resolve) => (finish = resolve)))
    const { user, button, onSubmitted } = setup({ submit })
    await user.click(button())
    expect(button()).toHaveTextContent('Starting…')
    expect(button()).toBeDisabled()
    expect(onSubmitted).not.toHaveBeenCalled()
    await act(async () => finish(submitted('city_people')))
    expect(onSubmitted).toHaveBeenCalledTimes(1)
  })

  it("shows the server's refusal and makes the button usable again", async () => {
    const submit = vi.fn(async () => {
      throw new ApiError(409, 'TABLE_EXISTS', 'A table named city_people was created a moment ago')
    })
    const { user, button, onSubmitted } = setup({ submit })
    await user.click(button())
    expect(await screen.findByRole('alert')).toHaveTextContent('A table named city_people was created a moment ago')
    expect(onSubmitted).not.toHaveBeenCalled()
    expect(button()).toBeEnabled()
    expect(button()).toHaveTextContent('Load into city_people')

    await user.click(button())
    expect(submit).toHaveBeenCalledTimes(2)
  })

  describe('appending', () => {
    const table = [{ name: 'id', type: 'bigint' }, { name: 'name', type: 'string' }, { name: 'city', type: 'string' }]

    it('says before loading why the file does not fit the table, by the rule the workflow applies, without blocking', async () => {
      const { user, button } = setup({
        tables: ['city_people'],
        tableColumns: { city_people: table },
        fileColumns: [{ name: 'id', type: 'bigint' }, { name: 'name', type: 'string' }, { name: 'town', type: 'string' }],
      })
      expect(screen.getByRole('radio', { name: /Append/ })).toBeChecked()
      expect(screen.getByTestId('append-drift')).toHaveTextContent(
        'From the preview, this file does not fit city_people: the file lacks column(s) city; the file has new column(s) town.',
      )
      expect(button()).toBeEnabled()
      // Replace takes any columns: nothing to warn about.
      await user.click(screen.getByRole('radio', { name: /Replace/ }))
      expect(screen.queryByTestId('append-drift')).toBeNull()
    })

    it('says nothing when the columns fit, a narrower type included', () => {
      setup({
        tables: ['city_people'],
        tableColumns: { city_people: [{ name: 'id', type: 'double' }, ...table.slice(1)] },
        fileColumns: table,
      })
      expect(screen.queryByTestId('append-drift')).toBeNull()
    })
  })
})

describe('SubmitForm for a Parquet file', () => {
  it('hides the CSV-only option (skip bad rows) and suggests the name without .parquet', async () => {
    const submit = vi.fn(async (body: SubmitBody) => submitted(body.table ?? ''))
    const user = userEvent.setup()
    render(<SubmitForm fileId="f_1" fileName="Trips 2024.parquet" format="parquet" tables={[]} submit={submit} onSubmitted={vi.fn()} />)
    expect(screen.queryByText('Skip rows that do not fit')).toBeNull()
    expect(screen.getByLabelText('Table name')).toHaveValue('trips_2024')
    await user.click(screen.getByRole('button', { name: /^Load into/ }))
    expect(submit).toHaveBeenCalledWith(expect.objectContaining({ table: 'trips_2024', onError: 'fail' }))
  })
})
