import { describe, expect, it } from 'vitest'
import { cellText, delimiterName, formatBytes, formatDuration, formatWhen } from './format'

describe('format', () => {
  it('shows sizes in powers of 1024', () => {
    expect(formatBytes(0)).toBe('0 B')
    expect(formatBytes(1536)).toBe('1.5 KB')
    expect(formatBytes(5 * 1024 ** 3)).toBe('5.0 GB')
    expect(formatBytes(300 * 1024 ** 2)).toBe('300 MB')
  })
  it('shows durations in the unit a person reads', () => {
    expect(formatDuration(850)).toBe('850 ms')
    expect(formatDuration(1234)).toBe('1.23 s')
    expect(formatDuration(12_300)).toBe('12.3 s')
    expect(formatDuration(125_000)).toBe('2 min 5 s')
  })
  it('says how long ago, then the date', () => {
    const now = Date.parse('2026-11-27T12:00:00Z')
    expect(formatWhen('2026-11-27T11:59:50Z', now)).toBe('just now')
    expect(formatWhen('2026-11-27T11:55:00Z', now)).toBe('5 min ago')
    expect(formatWhen('2026-11-20T11:55:00Z', now)).toBe('20 Nov 2026')
  })
  it('names delimiters and keeps NULL apart from the text "null"', () => {
    expect(delimiterName('\t')).toBe('tab')
    expect(cellText(null)).toBeNull()
    expect(cellText('null')).toBe('null')
    expect(cellText(12.5)).toBe('12.5')
  })
})
