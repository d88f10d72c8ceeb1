import { readJson } from '../json-records.ts'
import type { TablePart } from '../ports/catalog.ts'
import type { ObjectStore } from '../ports/object-store.ts'
import { mergeProfiles, profileKeyOf, type ColumnProfile, type PartProfile } from './column-profile.ts'

/**
 * A table's column profile, merged from its current parts' `_profile.json` files. A part without
 * one (loaded before profiles were kept, or its file lost) is left out: the profile then covers
 * `profiledRows` of the table's rows and says `partial`, rather than guessing the rest.
 */
export type TableProfile = { profile: ColumnProfile[]; partial: boolean; profiledRows: number }

/** Profile files read at once: a table of many appends has many parts. */
const READS_AT_ONCE = 16

export async function readTableProfile(store: ObjectStore, parts: TablePart[]): Promise<TableProfile> {
  const found: PartProfile[] = []
  let missing = 0
  for (let i = 0; i < parts.length; i += READS_AT_ONCE) {
    const read = await Promise.all(parts.slice(i, i + READS_AT_ONCE).map((p) => readPartProfile(store, p.key)))
    for (const profile of read) profile ? found.push(profile) : missing++
  }
  return {
    profile: mergeProfiles(found.map((p) => p.columns)),
    partial: missing > 0,
    profiledRows: found.reduce((rows, p) => rows + p.rows, 0),
  }
}

/** A part's profile, or undefined when it has none or it cannot be read as one (never a 500 for a table's page). */
async function readPartProfile(store: ObjectStore, partKey: string): Promise<PartProfile | undefined> {
  try {
    const profile = await readJson<PartProfile>(store, profileKeyOf(partKey))
    return profile && Array.isArray(profile.columns) && typeof profile.rows === 'number' ? profile : undefined
  } catch (err) {
    if (err instanceof SyntaxError) return undefined
    throw err
  }
}
