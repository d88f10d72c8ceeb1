import type { components } from './api/schema'
import { formatCount } from './format'

export type ColumnProfile = components['schemas']['ColumnProfile']
export type TableWithProfile = components['schemas']['TableWithProfile']
export type ProfileBin = NonNullable<ColumnProfile['histogram']>[number]

type Kind = 'date' | 'timestamp' | 'number' | 'other'

function kindOf(type: string): Kind {
  const t = type.toLowerCase()
  if (t === 'date') return 'date'
  if (t === 'timestamp') return 'timestamp'
  if (/^(bigint|int|integer|smallint|tinyint|double|float|decimal)/.test(t)) return 'number'
  return 'other'
}

/** A min or max as a person reads it: numbers grouped, dates and timestamps as they are, text quoted when blank. */
export function formatProfileValue(value: ColumnProfile['min']): string {
  if (value === null) return '—'
  if (typeof value === 'number') return value.toLocaleString('en-US', { maximumFractionDigits: 4 })
  if (typeof value === 'boolean') return String(value)
  if (/^\d{4}-\d{2}-\d{2}T/.test(value)) return value.replace('T', ' ').replace(/\.000$/, '')
  return value.trim() === '' ? JSON.stringify(value) : value
}

/** A histogram bound: dates and timestamps are epoch milliseconds in the API. */
export function formatBound(bound: number, type: string): string {
  const kind = kindOf(type)
  if (kind === 'date') return new Date(bound).toISOString().slice(0, 10)
  if (kind === 'timestamp') return new Date(bound).toISOString().slice(0, 16).replace('T', ' ')
  return bound.toLocaleString('en-US', { maximumFractionDigits: 2 })
}

/** What one bin holds, for its label: "10 – 20: 1,234 rows" (an integer bin one wide is its value). */
export function binLabel(bin: ProfileBin, type: string): string {
  const integer = /^(bigint|int|integer|smallint|tinyint)$/i.test(type)
  const range = integer && bin.upper - bin.lower === 1 ? formatBound(bin.lower, type) : `${formatBound(bin.lower, type)} – ${formatBound(bin.upper, type)}`
  return `${range}: ${formatCount(bin.count)} ${bin.count === 1 ? 'row' : 'rows'}`
}

/** "1,234" or "≈ 1,234": the distinct count says when it is an estimate. */
export function formatDistinct(profile: Pick<ColumnProfile, 'distinct' | 'distinctApprox'>): string {
  return `${profile.distinctApprox ? '≈ ' : ''}${formatCount(profile.distinct)}`
}

/** Nulls as a count and a share of the rows: "12 (3.4%)". */
export function formatNulls(profile: Pick<ColumnProfile, 'nulls' | 'rows'>): string {
  if (profile.nulls === 0) return '0'
  const share = (profile.nulls / Math.max(profile.rows, 1)) * 100
  return `${formatCount(profile.nulls)} (${share < 0.1 ? '<0.1' : share.toFixed(share < 10 ? 1 : 0)}%)`
}

/** The profile of each of the table's columns, by name (a column loaded before profiles were kept has none). */
export function profilesByName(table: Pick<TableWithProfile, 'profile'> | undefined): Map<string, ColumnProfile> {
  return new Map((table?.profile ?? []).map((p) => [p.name, p]))
}
