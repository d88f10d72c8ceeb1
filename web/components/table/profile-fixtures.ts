import type { ColumnProfile, TableWithProfile } from '@/lib/table-profile'

/** Profiles for the table components' tests. */
export const PRICE: ColumnProfile = {
  name: 'price',
  type: 'double',
  rows: 10,
  nulls: 2,
  distinct: 7,
  distinctApprox: false,
  min: 1.5,
  max: 99,
  histogram: [
    { lower: 0, upper: 50, count: 6 },
    { lower: 50, upper: 100, count: 2 },
  ],
}
export const ITEM: ColumnProfile = { name: 'item', type: 'string', rows: 10, nulls: 0, distinct: 12_000, distinctApprox: true, min: 'ink', max: 'pen', top: [{ value: 'pen', count: 8 }, { value: 'ink', count: 2 }] }
export const EMPTY_NOTE: ColumnProfile = { name: 'note', type: 'string', rows: 10, nulls: 10, distinct: 0, distinctApprox: false, min: null, max: null, top: [] }

export const ORDERS: TableWithProfile = {
  name: 'orders',
  columns: [
    { name: 'price', type: 'double' },
    { name: 'item', type: 'string' },
    { name: 'note', type: 'string' },
    { name: 'added_later', type: 'bigint' },
  ],
  rowCount: 10,
  location: 's3://lake/orders/',
  format: 'parquet',
  sources: [],
  createdAt: '2026-11-27T08:00:00.000Z',
  updatedAt: '2026-11-27T08:00:00.000Z',
  profile: [PRICE, ITEM, EMPTY_NOTE],
  partial: false,
  profiledRows: 10,
}

