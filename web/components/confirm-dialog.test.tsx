import { act, render, screen } from '@testing-library/react'
import userEvent from '@testing-library/user-event'
import { useState } from 'react'
import { describe, expect, it, vi } from 'vitest'
import { ConfirmDialog } from './confirm-dialog'

function Harness({ onConfirm, onOpenChange }: { onConfirm: () => Promise<void>; onOpenChange?: (open: boolean) => void }) {
  const [open, setOpen] = useState(true)
  return (
    <ConfirmDialog
      open={open}
      title="Delete people.csv?"
      confirmLabel="Delete file"
      onConfirm={onConfirm}
      onOpenChange={(o) => {
        onOpenChange?.(o)
        setOpen(o)
      }}
    >
      The upload is removed.
    </ConfirmDialog>
  )
}

describe('ConfirmDialog', () => {
  it('asks with its title and explanation', () => {
    render(<Harness onConfirm={vi.fn(async () => {})} />)
    const dialog = screen.getByRole('dialog', { name: 'Delete people.csv?' })
    expect(dialog).toHaveAccessibleDescription('The upload is removed.')
  })

  it('shows nothing when closed', () => {
    render(<ConfirmDialog open={false} title="Delete?" confirmLabel="Delete" onConfirm={vi.fn(async () => {})} onOpenChange={vi.fn()}>x</ConfirmDialog>)
    expect(screen.queryByRole('dialog')).not.toBeInTheDocument()
  })

  it('"Keep it" closes without doing anything', async () => {
    const onConfirm = vi.fn(async () => {})
    const onOpenChange = vi.fn()
    render(<Harness onConfirm={onConfirm} onOpenChange={onOpenChange} />)
    await userEvent.click(screen.getByRole('button', { name: 'Keep it' }))
    expect(onConfirm).not.toHaveBeenCalled()
    expect(onOpenChange).toHaveBeenCalledWith(false)
    expect(screen.queryByRole('dialog')).not.toBeInTheDocument()
  })

  it('confirming runs the action, disables the button meanwhile, then closes', async () => {
    let finish: () => void = () => {}
    const onConfirm = vi.fn(() => new Promise<void>((resolve) => (finish = resolve)))
    render(<Harness onConfirm={onConfirm} />)
    await userEvent.click(screen.getByRole('button', { name: 'Delete file' }))
    expect(onConfirm).toHaveBeenCalledTimes(1)
    expect(screen.getByRole('button', { name: 'Delete file' })).toBeDisabled()
    expect(screen.getByRole('dialog')).toBeInTheDocument()
    await act(async () => finish())
    expect(screen.queryByRole('dialog')).not.toBeInTheDocument()
  })
})
