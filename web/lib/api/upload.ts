import { ApiError, type Auth, type FileMeta } from './client'

export type UploadProgress = { loaded: number; total: number }

/**
 * Uploads one file as multipart form data with real progress events (fetch has no upload
 * progress, so this is XMLHttpRequest). Aborting the signal cancels the upload; the server then
 * keeps nothing of it.
 */
export async function uploadFile(
  file: File,
  opts: { auth: Auth; onProgress?: (p: UploadProgress) => void; signal?: AbortSignal; baseUrl?: string },
): Promise<FileMeta> {
  const token = await opts.auth.token()
  // Cancelled while the token was being fetched (a refresh can take a round trip): send nothing.
  if (opts.signal?.aborted) throw new ApiError(0, 'CANCELLED', 'Upload cancelled')
  return new Promise<FileMeta>((resolve, reject) => {
    const xhr = new XMLHttpRequest()
    xhr.open('POST', `${opts.baseUrl ?? ''}/api/upload`)
    if (token) xhr.setRequestHeader('authorization', `Bearer ${token}`)
    xhr.responseType = 'text'
    xhr.upload.onprogress = (e) => opts.onProgress?.({ loaded: e.loaded, total: e.lengthComputable ? e.total : file.size })
    xhr.onload = () => {
      const body = parse(xhr.responseText)
      if (xhr.status === 201 && body) return resolve(body as FileMeta)
      if (xhr.status === 401) opts.auth.onUnauthorized()
      const error = (body as { error?: { code?: string; message?: string } } | null)?.error
      reject(new ApiError(xhr.status, error?.code ?? `HTTP_${xhr.status}`, error?.message ?? `The server answered ${xhr.status}`))
    }
    xhr.onerror = () => reject(new ApiError(0, 'NETWORK', 'The upload was cut off: check your connection and try again'))
    xhr.onabort = () => reject(new ApiError(0, 'CANCELLED', 'Upload cancelled'))
    opts.signal?.addEventListener('abort', () => xhr.abort(), { once: true })
    const form = new FormData()
    form.append('file', file, file.name)
    xhr.send(form)
  })
}

function parse(text: string): unknown {
  try {
    return JSON.parse(text)
  } catch {
    return null
  }
}
