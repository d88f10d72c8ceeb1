import { completionStatus, startCompletion } from '@codemirror/autocomplete'
import { EditorView } from '@codemirror/view'
import { act, render, screen, waitFor } from '@testing-library/react'
import userEvent from '@testing-library/user-event'
import { createRef } from 'react'
import { describe, expect, it, vi } from 'vitest'
import { schemaNamespace, SqlEditor, type SqlEditorHandle } from './sql-editor'

const content = () => screen.getByRole('textbox', { name: 'SQL' })

function setup(props: Partial<Parameters<typeof SqlEditor>[0]> = {}) {
  const onChange = vi.fn()
  const onRun = vi.fn()
  const ref = createRef<SqlEditorHandle>()
  const view = render(<SqlEditor ref={ref} value="SELECT 1" onChange={onChange} onRun={onRun} schema={{}} {...props} />)
  return { onChange, onRun, ref, ...view }
}

describe('SqlEditor', () => {
  it('shows the SQL it is given', () => {
    setup({ value: 'SELECT *\nFROM orders' })
    expect(content()).toHaveTextContent('SELECT *FROM orders')
    expect(screen.getByTestId('sql-editor').querySelectorAll('.cm-line')).toHaveLength(2)
  })

  it('runs on Ctrl+Enter', async () => {
    const { onRun } = setup()
    content().focus()
    await userEvent.keyboard('{Control>}{Enter}{/Control}')
    expect(onRun).toHaveBeenCalledTimes(1)
  })

  it('closes the autocomplete popup when Ctrl+Enter runs the query', async () => {
    const { onRun } = setup({ value: '', schema: { orders: [{ name: 'id', type: 'bigint' }] } })
    const editor = EditorView.findFromDOM(screen.getByTestId('sql-editor'))!
    content().focus()
    await userEvent.keyboard('SELECT * FROM ord')
    act(() => {
      startCompletion(editor)
    })
    await waitFor(() => expect(completionStatus(editor.state)).toBe('active'))
    await userEvent.keyboard('{Control>}{Enter}{/Control}')
    expect(onRun).toHaveBeenCalledTimes(1)
    expect(completionStatus(editor.state)).toBeNull()
  })

  it('does not run on a plain Enter', async () => {
    const { onRun } = setup()
    content().focus()
    await userEvent.keyboard('{Enter}')
    expect(onRun).not.toHaveBeenCalled()
  })

  it('marks the line an error points at, and unmarks it when the error goes', () => {
    const { rerender, onChange, onRun } = setup({ value: 'SELECT *\nFORM orders\nLIMIT 1', errorLine: 2 })
    const marked = () => screen.getByTestId('sql-editor').querySelectorAll('.cm-error-line')
    expect(marked()).toHaveLength(1)
    expect(marked()[0]).toHaveTextContent('FORM orders')
    expect(marked()[0]).toHaveAttribute('data-error-line', '2')

    rerender(<SqlEditor value={'SELECT *\nFORM orders\nLIMIT 1'} onChange={onChange} onRun={onRun} schema={{}} errorLine={undefined} />)
    expect(marked()).toHaveLength(0)
  })

  it('underlines the word at the error\'s column', () => {
    setup({ value: 'SELECT *\nFROM city_peple\nLIMIT 1', errorLine: 2, errorColumn: 6 })
    const mark = screen.getByTestId('sql-editor').querySelector('.cm-error-mark')
    expect(mark).toHaveTextContent(/^city_peple$/)
    expect(mark).toHaveAttribute('data-error-column', '6')
  })

  it('ignores an error line past the end of the SQL', () => {
    setup({ value: 'SELECT 1', errorLine: 5 })
    expect(screen.getByTestId('sql-editor').querySelectorAll('.cm-error-line')).toHaveLength(0)
  })

  it('clears the error mark when the SQL is edited', () => {
    const { ref } = setup({ value: 'SELECT *\nFORM orders', errorLine: 2 })
    expect(screen.getByTestId('sql-editor').querySelectorAll('.cm-error-line')).toHaveLength(1)
    act(() => ref.current!.insert('x'))
    expect(screen.getByTestId('sql-editor').querySelectorAll('.cm-error-line')).toHaveLength(0)
  })

  it('takes a new value from its props', () => {
    const { rerender, onChange, onRun } = setup({ value: 'SELECT 1' })
    rerender(<SqlEditor value="SELECT 2" onChange={onChange} onRun={onRun} schema={{}} />)
    expect(content()).toHaveTextContent('SELECT 2')
  })

  it('inserts text at the cursor through its handle and reports the change', () => {
    const { ref, onChange } = setup({ value: '' })
    act(() => ref.current!.insert('orders'))
    expect(content()).toHaveTextContent('orders')
    expect(onChange).toHaveBeenLastCalledWith('orders')
  })

  it('reports what is typed', async () => {
    const { onChange } = setup({ value: '' })
    content().focus()
    await userEvent.keyboard('SELECT')
    expect(onChange).toHaveBeenLastCalledWith('SELECT')
  })
})

describe('schemaNamespace', () => {
  it("gives autocomplete each table's columns with their types", () => {
    expect(schemaNamespace({ orders: [{ name: 'id', type: 'bigint' }] })).toEqual({ orders: [{ label: 'id', type: 'property', detail: 'bigint' }] })
  })
})
