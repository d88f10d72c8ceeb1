'use client'

import { useSearchParams } from 'next/navigation'
import { Suspense, useCallback, useMemo, useRef, useState } from 'react'
import { QueryExecution, type Ended } from '@/components/query/query-execution'
import { QueryHistory } from '@/components/query/query-history'
import { SchemaBrowser } from '@/components/query/schema-browser'
import type { SqlEditorHandle } from '@/components/query/sql-editor'
import { Tabs, TabsContent, TabsList, TabsTrigger } from '@/components/ui/tabs'
import type { Api } from '@/lib/api/client'
import { useSession } from '@/lib/auth'
import { addHistory, clearHistory, historyKey, readHistory, useStoredValue } from '@/lib/local-history'
import { useResource } from '@/lib/use-resource'

export default function QueryPage() {
  return (
    <Suspense>
      <QueryFromParams />
    </Suspense>
  )
}

function QueryFromParams() {
  const session = useSession()
  const params = useSearchParams()
  if (session.status !== 'ready') return null
  return <Console api={session.api} user={session.user?.name ?? 'local'} table={params.get('table')} shared={params.get('sql')} />
}

const quoteName = (name: string) => (/^[a-z_][a-z0-9_]*$/.test(name) ? name : `"${name.replaceAll('"', '""')}"`)

/** Query: the schema browser and history on the left, the SQL console on the right. */
function Console({ api, user, table, shared }: { api: Api; user: string; table: string | null; shared: string | null }) {
  const tables = useResource(() => api.tables(), [api])
  // A shared link (?sql=) opens with its SQL, not run; a table link (?table=) runs a first look.
  const [sql, setSql] = useState(() => shared ?? (table ? `SELECT *\nFROM ${quoteName(table)}\nLIMIT 100` : (readHistory(user)[0]?.sql ?? '')))
  const editor = useRef<SqlEditorHandle>(null)
  const schema = useMemo(() => Object.fromEntries((tables.data ?? []).map((t) => [t.name, t.columns])), [tables.data])

  const historyJson = useStoredValue(historyKey(user))
  const history = useMemo(() => (historyJson === '[]' ? [] : readHistory(user)), [historyJson, user])

  const onEnded = useCallback(
    (ended: Ended) => {
      const status = ended.status === 'succeeded' ? 'SUCCEEDED' : ended.status === 'failed' ? 'FAILED' : 'CANCELLED'
      const result = ended.status === 'succeeded' ? ended.result : undefined
      addHistory(user, { sql: ended.sql, at: new Date().toISOString(), status, rowCount: result?.rowCount, elapsedMs: result?.stats?.elapsedMs })
    },
    [user],
  )

  return (
    <div className="flex h-screen min-h-0">
      <aside className="flex w-56 shrink-0 flex-col border-r xl:w-64">
        <Tabs defaultValue="tables" className="flex min-h-0 flex-1 flex-col gap-0">
          <TabsList className="m-2 grid w-auto grid-cols-2">
            <TabsTrigger value="tables">Tables</TabsTrigger>
            <TabsTrigger value="history">History</TabsTrigger>
          </TabsList>
          <TabsContent value="tables" className="min-h-0 flex-1 overflow-auto px-2 pb-4">
            <SchemaBrowser tables={tables.data} loading={tables.loading} onInsert={(text) => editor.current?.insert(text)} />
          </TabsContent>
          <TabsContent value="history" className="min-h-0 flex-1 overflow-auto px-2 pb-4">
            <QueryHistory entries={history} onPick={setSql} onClear={() => clearHistory(user)} />
          </TabsContent>
        </Tabs>
      </aside>
      <section className="min-w-0 flex-1" aria-label="SQL console">
        <QueryExecution api={api} schema={schema} sql={sql} onSqlChange={setSql} onEnded={onEnded} autoRun={shared === null && table !== null} editorRef={editor} />
      </section>
    </div>
  )
}
