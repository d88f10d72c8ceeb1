export const WEB_OUT: string
/** A hash of the web build's sources under `base` (the repository): git-ignored and generated files do not count. */
export function webSourceHash(base?: string): string
export function buildWeb(opts?: { force?: boolean }): { built: boolean }
