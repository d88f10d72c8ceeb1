export function bundle(outdir: string, entryPoints: Record<string, string>): Promise<void>
