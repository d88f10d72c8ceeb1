'use client'

import { useSearchParams } from 'next/navigation'
import { Suspense, useCallback } from 'react'
import { TableDetails } from '@/components/table/table-details'
import { TableHistory } from '@/components/table/table-history'
import { useSession } from '@/lib/auth'

/** A table's page: /tables?name=orders (a query parameter, as the site is a static export). */
export default function TablePage() {
  return (
    <Suspense>
      <TableFromParams />
    </Suspense>
  )
}

function TableFromParams() {
  const session = useSession()
  const name = useSearchParams().get('name') ?? ''
  const api = session.status === 'ready' ? session.api : undefined
  const load = useCallback((table: string) => api!.table(table), [api])
  if (!api) return null
  return <TableDetails name={name} load={load} history={(reload) => <TableHistory api={api} name={name} onChanged={reload} />} />
}
