import {
  BIGINT,
  DECIMAL,
  DuckDBBlobValue,
  DuckDBDateValue,
  DuckDBDecimalValue,
  DuckDBListValue,
  DuckDBMapValue,
  DuckDBStructValue,
  DuckDBTimestampMillisecondsValue,
  DuckDBTimestampNanosecondsValue,
  DuckDBTimestampSecondsValue,
  DuckDBTimestampTZValue,
  DuckDBTimestampValue,
  HUGEINT,
  INTEGER,
  LIST,
  MAP,
  SMALLINT,
  STRUCT,
  TIMESTAMPTZ,
  VARCHAR,
} from '@duckdb/node-api'
import { describe, expect, it } from 'vitest'
import { resultTypeOf, storedAsText, toCell } from './duckdb-values.ts'

describe('toCell', () => {
  it('keeps integers exact: numbers within 2^53, strings beyond', () => {
    expect(toCell(9007199254740991n)).toBe(9007199254740991)
    expect(toCell(-9007199254740991n)).toBe(-9007199254740991)
    expect(toCell(9007199254740993n)).toBe('9007199254740993')
    expect(toCell('170141183460469231731687303715884105727', 'bigint')).toBe('170141183460469231731687303715884105727')
    expect(toCell('42', 'bigint')).toBe(42)
    expect(toCell('42', 'string')).toBe('42')
  })

  it('writes decimals as exact strings and odd doubles as strings', () => {
    expect(toCell(new DuckDBDecimalValue(123456789012345678901234n, 24, 2))).toBe('1234567890123456789012.34')
    expect(toCell(new DuckDBDecimalValue(-5n, 4, 2))).toBe('-0.05')
    expect(toCell(1.5)).toBe(1.5)
    expect([NaN, Infinity, -Infinity].map((n) => toCell(n))).toEqual(['NaN', 'Infinity', '-Infinity'])
  })

  it('writes dates and timestamps in ISO 8601, to the millisecond', () => {
    expect(toCell(new DuckDBDateValue(19782))).toBe('2024-02-29')
    expect(toCell(new DuckDBDateValue(-1))).toBe('1969-12-31')
    expect(toCell(new DuckDBTimestampValue(1_704_164_645_678_901n))).toBe('2024-01-02T03:04:05.678')
    expect(toCell(new DuckDBTimestampValue(-1n))).toBe('1969-12-31T23:59:59.999')
    expect(toCell(new DuckDBTimestampTZValue(1_704_164_645_678_901n))).toBe('2024-01-02T03:04:05.678Z')
    expect(toCell(new DuckDBTimestampSecondsValue(1_704_164_645n))).toBe('2024-01-02T03:04:05.000')
    expect(toCell(new DuckDBTimestampMillisecondsValue(1_704_164_645_678n))).toBe('2024-01-02T03:04:05.678')
    expect(toCell(new DuckDBTimestampNanosecondsValue(1_704_164_645_678_901_234n))).toBe('2024-01-02T03:04:05.678')
    expect(toCell(DuckDBTimestampValue.PosInf)).toBe('infinity')
    expect(toCell(DuckDBTimestampValue.NegInf)).toBe('-infinity')
    expect(toCell(DuckDBDateValue.PosInf)).toBe('infinity')
  })

  it('writes blobs as base64 and nested values recursively', () => {
    expect(toCell(new DuckDBBlobValue(new Uint8Array([104, 105])))).toBe('aGk=')
    expect(toCell(new DuckDBListValue([1, null, 9007199254740993n]))).toEqual([1, null, '9007199254740993'])
    expect(toCell(new DuckDBStructValue({ a: new DuckDBDateValue(0), b: null }))).toEqual({ a: '1970-01-01', b: null })
    expect(toCell(new DuckDBMapValue([{ key: 'k', value: 1 }]))).toEqual([{ key: 'k', value: 1 }])
    expect(toCell(null)).toBeNull()
    expect(toCell(true)).toBe(true)
  })
})

describe('resultTypeOf', () => {
  it('names types as the catalog and Athena do', () => {
    expect(resultTypeOf(BIGINT)).toBe('bigint')
    expect(resultTypeOf(HUGEINT)).toBe('bigint')
    expect(resultTypeOf(INTEGER)).toBe('int')
    expect(resultTypeOf(SMALLINT)).toBe('smallint')
    expect(resultTypeOf(DECIMAL(18, 3))).toBe('decimal(18,3)')
    expect(resultTypeOf(VARCHAR)).toBe('string')
    expect(resultTypeOf(TIMESTAMPTZ)).toBe('timestamp')
    expect(resultTypeOf(LIST(INTEGER))).toBe('array<int>')
    expect(resultTypeOf(STRUCT({ a: INTEGER, b: LIST(VARCHAR) }))).toBe('struct<a:int,b:array<string>>')
    expect(resultTypeOf(MAP(VARCHAR, BIGINT))).toBe('map<string,bigint>')
  })

  it('stores only 128-bit integers as text', () => {
    expect(storedAsText(HUGEINT)).toBe(true)
    expect(storedAsText(BIGINT)).toBe(false)
  })
})
