/** JSON lines on stdout/stderr: CloudWatch (and any log shipper) reads them as they are. */
export type Logger = {
  info(message: string, fields?: Record<string, unknown>): void
  warn(message: string, fields?: Record<string, unknown>): void
  error(message: string, fields?: Record<string, unknown>): void
}

export function createLogger(opts: { quiet?: boolean } = {}): Logger {
  const write = (level: string, message: string, fields?: Record<string, unknown>) => {
    if (opts.quiet && level === 'info') return
    const line = JSON.stringify({ time: new Date().toISOString(), level, message, ...fields })
    if (level === 'error') process.stderr.write(line + '\n')
    else process.stdout.write(line + '\n')
  }
  return {
    info: (m, f) => write('info', m, f),
    warn: (m, f) => write('warn', m, f),
    error: (m, f) => write('error', m, f),
  }
}
