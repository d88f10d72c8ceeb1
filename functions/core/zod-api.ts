// The part of zod/mini csvlake uses, named one by one: `z` is a namespace object, and re-exporting
// zod/mini whole would bundle everything it exports (all 40 locales, the JSON Schema generator)
// into every function. Add here what a schema needs.
export {
  _default,
  any,
  array,
  boolean,
  coerce,
  enum,
  int,
  length,
  literal,
  looseObject,
  maximum,
  maxLength,
  minimum,
  minLength,
  nullable,
  number,
  object,
  optional,
  partial,
  pick,
  pipe,
  readonly,
  record,
  refine,
  regex,
  strictObject,
  string,
  transform,
  union,
} from 'zod/mini'
export type { infer, input, output, ZodMiniObject, ZodMiniType } from 'zod/mini'
export type { $ZodError as ZodError } from 'zod/v4/core'
