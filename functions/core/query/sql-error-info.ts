/**
 * A SQL error as a person reads it: the engine's message, and where in their SQL it points.
 * Engine-independent: the DuckDB adapter reads it from DuckDB's error text ("LINE 2: ..." and a
 * caret); an Athena adapter would read it from a FAILED query's StateChangeReason ("line 1:8: ...").
 */
export type SqlErrorInfo = {
  /** The engine's error class: 'Parser', 'Binder', 'Catalog', 'Permission', 'Conversion', ... or ''. */
  kind: string
  message: string
  /** 1-based, in the user's SQL. */
  line?: number
  /** 1-based, in characters (code points) of that line. */
  column?: number
}
