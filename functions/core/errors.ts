/** Every error the API answers with has one of these codes; each maps to one HTTP status. */
export const ERROR_STATUS = {
  BAD_REQUEST: 400,
  EMPTY_FILE: 400,
  NOT_CSV: 400,
  NOT_PARQUET: 400,
  SQL_ERROR: 400,
  UNAUTHORIZED: 401,
  FORBIDDEN: 403,
  NOT_FOUND: 404,
  CONFLICT: 409,
  TABLE_EXISTS: 409,
  SCHEMA_MISMATCH: 409,
  PAYLOAD_TOO_LARGE: 413,
  UNSUPPORTED_MEDIA_TYPE: 415,
  TOO_MANY_REQUESTS: 429,
  INTERNAL: 500,
  UNAVAILABLE: 503,
} as const

export type ErrorCode = keyof typeof ERROR_STATUS

/** Extra fields a client can act on, e.g. the line and column of a SQL error. */
export type ErrorDetails = Record<string, string | number | boolean | null | undefined>

export class AppError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details: ErrorDetails = {},
    options?: ErrorOptions,
  ) {
    super(message, options)
    this.name = 'AppError'
  }

  get status(): number {
    return ERROR_STATUS[this.code]
  }
}

export function statusOf(code: ErrorCode): number {
  return ERROR_STATUS[code]
}

/** The one error body of the API: `{"error": {"code", "message", ...details}}`. */
export function errorBody(err: AppError) {
  return { error: { code: err.code, message: err.message, ...err.details } }
}

export const notFound = (what: string) =>
  new AppError('NOT_FOUND', `${what} was not found. Check the id; it may have been deleted.`)
