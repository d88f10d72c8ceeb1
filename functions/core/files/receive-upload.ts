import busboy from 'busboy'
import { createHash } from 'node:crypto'
import type { Readable } from 'node:stream'
import { AppError } from '../errors.ts'
import { newId } from '../ids.ts'
import { writeJson } from '../json-records.ts'
import { keys } from '../keys.ts'
import type { ObjectStore } from '../ports/object-store.ts'
import type { TenantId } from '../tenant.ts'
import { assertLooksLikeText, GZIP_MAGIC, startsWith } from './content-check.ts'
import { parquetDialect } from './parquet-dialect.ts'
import { PARQUET_MAGIC, readStoredParquetFooter } from './parquet-file.ts'
import { readDecodedHead } from './decoded-head.ts'
import type { FileMeta } from './file-meta.ts'
import { formatBytes } from './format-bytes.ts'
import type { Reservation, StorageUsage } from './storage-usage.ts'
import type { Dialect } from '../ingest/dialect.ts'
import { sniffDialect } from '../ingest/sniff.ts'


export type UploadDeps = {
  store: ObjectStore
  maxUploadBytes: number
  /** What each tenant keeps, against its storage quota (fair sharing). */
  usage: StorageUsage
  previewHeadBytes: number
  now: () => Date
  /** Told the bytes of each file once it is stored and listed (for /metrics). */
  stored?: (bytes: number) => void
}

type Incoming = { contentType: string | undefined; contentLength: number | undefined; body: Readable }

const SNIFF_BYTES = 8192
/** Enough rows to tell the delimiter, quoting, header and encoding; small enough to be quick. */
const DIALECT_HEAD_BYTES = 256 * 1024
/** Room for multipart boundaries and headers around the file itself. */
const MULTIPART_OVERHEAD = 64 * 1024

/**
 * Streams the `file` field of a multipart body to the object store, hashing and counting as it
 * goes; the file becomes listed (its meta.json written) only once it is complete and checked.
 */
export async function receiveUpload(deps: UploadDeps, tenant: TenantId, req: Incoming): Promise<FileMeta> {
  if (!req.contentType?.toLowerCase().startsWith('multipart/form-data')) {
    throw new AppError(
      'UNSUPPORTED_MEDIA_TYPE',
      'Send the file as multipart/form-data in a field named "file" (curl -F file=@data.csv).',
    )
  }
  if (req.contentLength !== undefined && req.contentLength > deps.maxUploadBytes + MULTIPART_OVERHEAD) throw tooLarge(deps.maxUploadBytes)
  // Room is held before a byte is accepted, one upload at a time per tenant: concurrent uploads
  // cannot together pass the quota. With a Content-Length it holds that much, else all that is left.
  const reservation = await deps.usage.reserve(tenant, req.contentLength === undefined ? {} : { atMost: req.contentLength })
  let kept = 0
  try {
    const limit = uploadLimit(deps, reservation)
    if (req.contentLength !== undefined && req.contentLength > limit.bytes + MULTIPART_OVERHEAD) throw limit.refusal()
    const fileId = newId('f')
    const stored = await streamFileField({ ...deps, maxUploadBytes: limit.bytes, refusal: limit.refusal }, tenant, fileId, req)
    try {
      const meta = await checkAndRegister(deps, tenant, fileId, stored)
      kept = stored.bytes + ((await deps.store.size(keys.rawMeta(tenant, fileId))) ?? 0)
      deps.stored?.(stored.bytes)
      return meta
    } catch (err) {
      await deps.store.deletePrefix(keys.rawDir(tenant, fileId))
      throw err
    }
  } finally {
    reservation.commit(kept)
  }
}

type Stored = { name: string; mimeType: string; bytes: number; sha256: string; compression: 'none' | 'gzip'; format: 'csv' | 'parquet' }

/** The most this upload may be: the per-file limit, or what it holds of the tenant's quota. */
function uploadLimit(deps: UploadDeps, reservation: Reservation): { bytes: number; refusal: () => AppError } {
  return reservation.bytes < deps.maxUploadBytes
    ? { bytes: reservation.bytes, refusal: () => reservation.refusal() }
    : { bytes: deps.maxUploadBytes, refusal: () => tooLarge(deps.maxUploadBytes) }
}

function streamFileField(
  deps: UploadDeps & { refusal: () => AppError },
  tenant: TenantId,
  fileId: string,
  req: Incoming,
): Promise<Stored> {
  return new Promise<Stored>((resolve, reject) => {
    let parser: busboy.Busboy
    try {
      parser = busboy({ headers: { 'content-type': req.contentType }, limits: { files: 1, fields: 50, parts: 60 }, fileHwm: 1024 * 1024 })
    } catch (err) {
      reject(new AppError('BAD_REQUEST', `The multipart body is malformed: ${(err as Error).message}`))
      return
    }
    let seen = false
    let settled = false
    let counter: ReturnType<typeof countAndHash> | undefined
    let fileStream: Readable | undefined
    const fail = (err: unknown) => {
      if (settled) return
      settled = true
      req.body.unpipe(parser)
      req.body.resume()
      // A client gone mid-file: end the write too, so its temp file goes now, not at restart.
      fileStream?.destroy(new Error('the upload ended before the file did'))
      // Stopping the file stream can make the parser complain too; the refusal that caused it wins.
      reject(counter?.refusal() ?? err)
    }
    parser.on('file', (field, stream, info) => {
      if (field !== 'file' || seen) {
        stream.resume()
        return
      }
      seen = true
      fileStream = stream
      const name = cleanFileName(info.filename)
      const counted = countAndHash(deps.maxUploadBytes, deps.refusal, namedParquet(name))
      counter = counted
      deps.store
        .put(keys.rawData(tenant, fileId), counted.pass(stream))
        .then(async () => {
          // Already answered with an error: the stored bytes belong to no file.
          if (settled) return deps.store.deletePrefix(keys.rawDir(tenant, fileId))
          settled = true
          resolve({
            name,
            mimeType: info.mimeType,
            bytes: counted.bytes(),
            sha256: counted.sha256(),
            compression: counted.gzip() ? 'gzip' : 'none',
            format: counted.parquet() ? 'parquet' : 'csv',
          })
        })
        .catch((err: unknown) => {
          stream.resume()
          fail(err instanceof AppError ? err : new AppError('BAD_REQUEST', 'The upload was interrupted before it ended; send it again.', {}, { cause: err }))
        })
    })
    parser.on('error', (err: Error) => fail(new AppError('BAD_REQUEST', `The multipart body is malformed: ${err.message}`)))
    parser.on('close', () => {
      if (!seen) fail(new AppError('BAD_REQUEST', 'No file in the request: send it in a multipart field named "file".'))
    })
    req.body.on('error', (err) => fail(new AppError('BAD_REQUEST', 'The upload was interrupted; send it again.', {}, { cause: err })))
    req.body.on('aborted', () => fail(new AppError('BAD_REQUEST', 'The upload was interrupted; send it again.')))
    req.body.pipe(parser)
  })
}

/**
 * Counts and hashes the bytes as they pass, refusing binary heads and anything over the limit.
 * A generator rather than a piped Transform: an error ends the one pipeline, with no stray pipe left.
 * The content decides the format: a head of PAR1 is Parquet whatever the name; a file named
 * .parquet that does not start so is refused at once, before its bytes are stored.
 */
function countAndHash(maxBytes: number, refuse: () => AppError, namedParquet: boolean) {
  const hash = createHash('sha256')
  let bytes = 0
  let gzip = false
  let parquet = false
  let refusal: AppError | undefined
  async function* pass(source: AsyncIterable<Buffer>): AsyncGenerator<Buffer> {
    let head: Buffer | undefined = Buffer.alloc(0)
    try {
      for await (const chunk of source) {
        bytes += chunk.byteLength
        if (bytes > maxBytes) throw refuse()
        hash.update(chunk)
        if (head !== undefined) {
          head = Buffer.concat([head, chunk.subarray(0, SNIFF_BYTES)])
          if (head.byteLength >= SNIFF_BYTES) head = checkHead(head)
        }
        yield chunk
      }
      if (head !== undefined) checkHead(head)
    } catch (err) {
      if (err instanceof AppError) refusal = err
      throw err
    }
  }
  const checkHead = (head: Buffer): undefined => {
    parquet = startsWith(head, PARQUET_MAGIC)
    if (parquet) return undefined
    if (namedParquet && head.byteLength > 0) {
      throw new AppError('NOT_PARQUET', 'This file is named .parquet but is not Parquet (a Parquet file starts with PAR1). Upload the file as it was written, or give a CSV its .csv name.')
    }
    gzip = startsWith(head, GZIP_MAGIC)
    if (!gzip) assertLooksLikeText(head.subarray(0, SNIFF_BYTES))
    return undefined
  }
  return { pass, bytes: () => bytes, sha256: () => hash.digest('hex'), gzip: () => gzip, parquet: () => parquet, refusal: () => refusal }
}

async function checkAndRegister(deps: UploadDeps, tenant: TenantId, fileId: string, stored: Stored): Promise<FileMeta> {
  if (stored.bytes === 0) throw new AppError('EMPTY_FILE', 'The file is empty; there is nothing to load.')
  const dataKey = keys.rawData(tenant, fileId)
  if (stored.format === 'parquet') {
    // Its tail and footer are read now (two ranged reads): a cut-short or broken file is refused here, not at load.
    const footer = await readStoredParquetFooter(deps.store, dataKey, stored.bytes)
    return register(deps, tenant, fileId, stored, parquetDialect(footer.columns))
  }
  const head = await readDecodedHead(deps.store, dataKey, stored.compression, Math.min(deps.previewHeadBytes, DIALECT_HEAD_BYTES))
  if (head.bytes.byteLength === 0) throw new AppError('EMPTY_FILE', 'The file is empty once decompressed.')
  if (stored.compression === 'gzip') assertLooksLikeText(head.bytes.subarray(0, SNIFF_BYTES))
  const dialect = sniffDialect(head.bytes, { truncated: head.truncated, compression: stored.compression })
  return register(deps, tenant, fileId, stored, dialect)
}

async function register(deps: UploadDeps, tenant: TenantId, fileId: string, stored: Stored, dialect: Dialect): Promise<FileMeta> {
  const meta: FileMeta = {
    fileId,
    name: stored.name,
    size: stored.bytes,
    sha256: stored.sha256,
    contentType: stored.mimeType,
    compression: stored.compression,
    format: stored.format,
    uploadedAt: deps.now().toISOString(),
    dialect,
  }
  // The meta is written last: a file is listed only once its bytes are complete and checked.
  await writeJson(deps.store, keys.rawMeta(tenant, fileId), meta)
  return meta
}

function namedParquet(name: string): boolean {
  return /\.parquet$/i.test(name)
}

function cleanFileName(raw: string | undefined): string {
  const base = (raw ?? '').split(/[\\/]/).pop()?.replace(/[\u0000-\u001f]/g, '').trim() ?? ''
  return (base || 'upload.csv').slice(0, 255)
}

function tooLarge(maxBytes: number): AppError {
  return new AppError(
    'PAYLOAD_TOO_LARGE',
    `The file is larger than the upload limit of ${formatBytes(maxBytes)} (CSVLAKE_MAX_UPLOAD_BYTES); nothing was kept.`,
    { limitBytes: maxBytes },
  )
}
