import { stat } from 'node:fs/promises'
import { dirname } from 'node:path'
import { taskError } from '../../ingest/execution-input.ts'
import type { Dialect } from '../../ingest/dialect.ts'
import { withoutPaths } from '../../ingest/path-free-message.ts'
import type { Column } from '../../ports/catalog.ts'
import { RowError, type DuckDbIngest } from './duckdb-ingest.ts'

/** Files up to this size are crawled whole; bigger ones from a sample (then checked row by row). */
const WHOLE_FILE_CRAWL_BYTES = 8 * 1024 * 1024

type Crawl = { Status: 'SUCCEEDED' | 'FAILED' | 'CANCELLED'; ErrorMessage?: string }
type Crawler = {
  name: string
  folder: string
  database: string
  tablePrefix: string
  classifier: string
  state: 'READY' | 'RUNNING' | 'STOPPING'
  lastCrawl?: Crawl
  /** The crawl under way, if any. */
  crawling?: Promise<void>
}
type GlueTable = { Name: string; DatabaseName: string; Columns: Column[]; Location: string; Parameters: Record<string, string> }

/**
 * What the Glue API does for the ingest state machine, locally: classifiers, crawlers that run
 * in the background and report RUNNING then READY with the last crawl's status, and the tables
 * they find. The crawl itself is DuckDB's CSV sniffer over the whole file, with the classifier's
 * dialect. State lives in memory: a restart fails running jobs (see LocalWorkflow.recover).
 * Like Glue, a crawler has no LastCrawl until it has crawled, and each resource is deleted by
 * its own call (the state machine's clean-up makes each).
 */
export class LocalGlue {
  private readonly classifiers = new Map<string, Dialect>()
  private readonly crawlers = new Map<string, Crawler>()
  private readonly tables = new Map<string, GlueTable>()

  constructor(
    private readonly ingest: DuckDbIngest,
    private readonly pathOfUrl: (url: string) => string,
  ) {}

  createClassifier(name: string, dialect: Dialect) {
    if (this.classifiers.has(name)) throw glue('AlreadyExistsException', `Classifier ${name} already exists`)
    this.classifiers.set(name, dialect)
    return {}
  }

  createCrawler(params: { Name: string; DatabaseName: string; Classifiers: string[]; TablePrefix: string; Targets: { S3Targets: { Path: string }[] } }) {
    if (this.crawlers.has(params.Name)) throw glue('AlreadyExistsException', `Crawler ${params.Name} already exists`)
    const path = params.Targets.S3Targets[0]?.Path
    const classifier = params.Classifiers[0]
    if (!path || !classifier) throw glue('InvalidInputException', 'A crawler needs one S3 target and one classifier')
    this.crawlers.set(params.Name, {
      name: params.Name,
      folder: path,
      database: params.DatabaseName,
      tablePrefix: params.TablePrefix,
      classifier,
      state: 'READY',
    })
    return {}
  }

  startCrawler(name: string) {
    const crawler = this.crawler(name)
    if (crawler.state !== 'READY') throw glue('CrawlerRunningException', `Crawler ${name} is already running`)
    const dialect = this.classifiers.get(crawler.classifier)
    if (!dialect) throw glue('EntityNotFoundException', `Classifier ${crawler.classifier} not found`)
    crawler.state = 'RUNNING'
    // Like Glue, StartCrawler returns at once; GetCrawler reports when the crawl has ended.
    crawler.crawling = this.crawl(crawler, dialect)
    return {}
  }

  /**
   * Waits until the crawler's crawl has ended, or `maxMs` has passed. The state machine polls
   * GetCrawler a capped number of times (an hour of 15 s waits on Glue); locally the Wait is a few
   * milliseconds, so the local GetCrawler waits here instead, and a crawl that queues behind other
   * jobs' DuckDB work is not given up on after seconds.
   */
  async settled(name: string, maxMs: number): Promise<void> {
    const crawling = this.crawlers.get(name)?.crawling
    if (!crawling) return
    let timer: NodeJS.Timeout | undefined
    await Promise.race([crawling, new Promise<void>((resolve) => (timer = setTimeout(resolve, maxMs)))])
    clearTimeout(timer)
  }

  getCrawler(name: string) {
    const c = this.crawler(name)
    // As Glue: a crawler that has not crawled yet has no LastCrawl at all.
    return { Crawler: { Name: c.name, State: c.state, ...(c.lastCrawl ? { LastCrawl: c.lastCrawl } : {}) } }
  }

  getTable(database: string, name: string) {
    const table = this.tables.get(`${database}.${name}`)
    if (!table) throw glue('EntityNotFoundException', `Table ${name} not found in ${database}`)
    return {
      Table: {
        Name: table.Name,
        DatabaseName: database,
        Parameters: table.Parameters,
        StorageDescriptor: { Columns: table.Columns, Location: table.Location },
      },
    }
  }

  /** As Glue, each resource is deleted on its own (the state machine's clean-up calls each). Missing ones are no error here. */
  deleteCrawler(name: string) {
    this.crawlers.delete(name)
    return {}
  }

  deleteClassifier(name: string) {
    this.classifiers.delete(name)
    return {}
  }

  deleteTable(database: string, name: string) {
    this.tables.delete(`${database}.${name}`)
    return {}
  }

  private async crawl(crawler: Crawler, dialect: Dialect): Promise<void> {
    let folder = ''
    try {
      const file = this.pathOfUrl(crawler.folder + 'data.csv')
      folder = dirname(file)
      // Like Glue, a big file is classified from a sample; the conversion checks every row.
      const wholeFile = (await stat(file)).size <= WHOLE_FILE_CRAWL_BYTES
      const columns = await this.ingest.crawl(file, dialect, { wholeFile })
      const name = tableName(crawler)
      this.tables.set(`${crawler.database}.${name}`, {
        Name: name,
        DatabaseName: crawler.database,
        Columns: columns,
        Location: crawler.folder,
        Parameters: { classification: 'csv', 'csvlake.sampled': String(!wholeFile) },
      })
      crawler.lastCrawl = { Status: 'SUCCEEDED' }
    } catch (err) {
      // The message becomes the job's error: it names the staged file in words, never by its path.
      const message = withoutPaths(err instanceof Error ? err.message : String(err), { [folder]: 'the uploaded file' })
      // A row that does not parse keeps its line for the job's error, as a conversion's does (JSON, as taskError's causes).
      const cause = err instanceof RowError ? JSON.stringify({ code: 'ROW_REJECTED', message, line: err.line, column: err.column, value: err.value }) : message
      crawler.lastCrawl = { Status: 'FAILED', ErrorMessage: cause }
    } finally {
      crawler.state = 'READY'
    }
  }

  private crawler(name: string): Crawler {
    const c = this.crawlers.get(name)
    if (!c) throw glue('EntityNotFoundException', `Crawler ${name} not found`)
    return c
  }
}

/** Glue names a table after its folder, with the crawler's prefix. */
function tableName(c: Crawler): string {
  const folder = c.folder.replace(/\/+$/, '').split('/').pop() ?? 'table'
  return `${c.tablePrefix}${folder}`
}

function glue(exception: string, message: string): Error {
  return taskError(`Glue.${exception}`, { code: exception, message })
}
