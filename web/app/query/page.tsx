'use client'

import { useSearchParams } from 'next/navigation'
import { Suspense, useCallback, useMemo, useRef, useState } from 'react'
import { QueryExecution, type Ended } from '@/components/query/query-execution'
import { QueryHistory } from '@/components/query/query-history'
import { SavedQueries } from '@/components/query/saved-queries'
import { SchemaBrowser } from '@/components/query/schema-browser'
import type { SqlEditorHandle } from '@/components/query/sql-editor'
import { Tabs, TabsContent, TabsList, TabsTrigger } from '@/components/ui/tabs'
import type { Api, QuerySummary } from '@/lib/api/client'
import { usePages } from '@/lib/api/use-pages'
import { useSession } from '@/lib/auth'
import { decodeChart, type ChartSettings } from '@/lib/chart-data'
import { readLastSql, rememberSql } from '@/lib/last-sql'
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
  return <Console api={session.api} user={session.user?.name ?? 'local'} table={params.get('table')} shared={params.get('sql')} sharedChart={decodeChart(params.get('chart'))} />
}

const quoteName = (name: string) => (/^[a-z_][a-z0-9_]*$/.test(name) ? name : `"${name.replaceAll('"', '""')}"`)

/** Query: the schema browser, the history and the saved queries on the left, the SQL console on the right. */
function Console({ api, user, table, shared, sharedChart }: { api: Api; user: string; table: string | null; shared: string | null; sharedChart: ChartSettings | undefined }) {
  const tables = useResource(() => api.tables(), [api])
  // A shared link (?sql=) opens with its SQL, not run; a table link (?table=) runs a first look.
  const [sql, setSql] = useState(() => shared ?? (table ? `SELECT *\nFROM ${quoteName(table)}\nLIMIT 100` : readLastSql(user)))
  // The chart of the result, when it is shown instead of the grid: from a shared link or a saved query.
  const [chart, setChart] = useState<ChartSettings | undefined>(sharedChart)
  const editor = useRef<SqlEditorHandle>(null)
  const schema = useMemo(() => Object.fromEntries((tables.data ?? []).map((t) => [t.name, t.columns])), [tables.data])

  // The server's history: what this tenant ran, in any browser; reloaded as each run ends.
  const history = usePages(async (token) => {
    const page = await api.queries(token)
    return { items: page.queries, ...(page.nextToken ? { nextToken: page.nextToken } : {}) }
  }, [api])
  const reloadHistory = history.reload
  const onEnded = useCallback(
    (ended: Ended) => {
      rememberSql(user, ended.sql)
      reloadHistory()
    },
    [user, reloadHistory],
  )
  // A long SQL text is cut in the list: the query itself has all of it.
  const pick = useCallback(
    async (entry: QuerySummary) => setSql(entry.sqlTruncated ? (await api.query(entry.queryId)).sql : entry.sql),
    [api],
  )

  return (
    <div className="flex h-screen min-h-0">
      <aside className="flex w-56 shrink-0 flex-col border-r xl:w-64">
        <Tabs defaultValue="tables" className="flex min-h-0 flex-1 flex-col gap-0">
          <TabsList className="m-2 grid w-auto grid-cols-3">
            <TabsTrigger value="tables">Tables</TabsTrigger>
            <TabsTrigger value="history">History</TabsTrigger>
            <TabsTrigger value="saved">Saved</TabsTrigger>
          </TabsList>
          <TabsContent value="tables" className="min-h-0 flex-1 overflow-auto px-2 pb-4">
            <SchemaBrowser tables={tables.data} loading={tables.loading} onInsert={(text) => editor.current?.insert(text)} />
          </TabsContent>
          <TabsContent value="history" className="min-h-0 flex-1 overflow-auto px-2 pb-4">
            <QueryHistory
              entries={history.items}
              loading={history.loading}
              {...(history.error ? { error: history.error.message } : {})}
              {...(history.more ? { more: { onLoadMore: history.loadMore, loading: history.loadingMore, ...(history.moreError ? { error: history.moreError } : {}) } } : {})}
              onPick={(entry) => void pick(entry)}
            />
          </TabsContent>
          <TabsContent value="saved" className="min-h-0 flex-1 overflow-auto px-2 pb-4">
            <SavedQueries
              api={api}
              sql={sql}
              chart={chart}
              onOpen={(saved) => {
                setSql(saved.sql)
                setChart(saved.chart)
              }}
            />
          </TabsContent>
        </Tabs>
      </aside>
      <section className="min-w-0 flex-1" aria-label="SQL console">
        <QueryExecution
          api={api}
          schema={schema}
          sql={sql}
          onSqlChange={setSql}
          onEnded={onEnded}
          autoRun={shared === null && table !== null}
          editorRef={editor}
          chart={chart}
          onChartChange={setChart}
        />
      </section>
    </div>
  )
}
