/** What / shows when the web UI is not built (e.g. a bundle run without `npm run build`): what csvlake is, and where to go. */
export const LANDING_PAGE = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>csvlake</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>
  body { font: 16px/1.5 system-ui, sans-serif; max-width: 44rem; margin: 4rem auto; padding: 0 1rem; color: #18181b; }
  code { background: #f4f4f5; padding: .1rem .3rem; border-radius: .25rem; }
  a { color: #2563eb; }
  @media (prefers-color-scheme: dark) { body { background: #09090b; color: #fafafa; } code { background: #27272a; } a { color: #60a5fa; } }
</style></head>
<body>
<h1>csvlake</h1>
<p>A CSV data lake with SQL. Upload CSV files, preview them, submit them to the ingest workflow that
crawls and catalogs them, and query them with SQL - here on your machine, or on AWS with the same code.</p>
<p>The web UI is not built here (run <code>npm run build</code>, or <code>npm start</code>). Everything works over the HTTP API:</p>
<ul>
<li><a href="/api/docs">API docs</a> (browsable) and the <a href="/api/openapi.json">OpenAPI document</a></li>
<li><code>curl -F file=@people.csv http://localhost:8080/api/upload</code> to start</li>
</ul>
</body></html>`
