import { doc, z } from '../zod.ts'
import { RESERVED_WORD_MESSAGE, RESERVED_WORDS, TABLE_NAME_PATTERN, TABLE_NAME_PATTERN_MESSAGE } from '@csvlake/shared/table-name-rules'

export { RESERVED_WORDS, tableNameFromFile } from '@csvlake/shared/table-name-rules'

export const TableName = doc(
  z.string().check(
    z.regex(TABLE_NAME_PATTERN, TABLE_NAME_PATTERN_MESSAGE),
    z.refine((name) => !RESERVED_WORDS.has(name), { message: RESERVED_WORD_MESSAGE }),
  ),
  { example: 'city_people' },
)
export type TableName = z.infer<typeof TableName>
