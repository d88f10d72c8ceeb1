import type { NextConfig } from 'next'

/**
 * A static export: `next build` writes plain HTML, JS and CSS to web/out, which the local gateway
 * serves at / (and, in the cloud, the web's own Knative service). The API is same-origin under /api.
 */
const config: NextConfig = {
  output: 'export',
  trailingSlash: true,
  images: { unoptimized: true },
  // `npm test` type-checks web/ with tsc; the build need not do it again on every start.
  typescript: { ignoreBuildErrors: true },
  // The rules the web shares with the server (table names, schema diff) come from the workspace
  // package @csvlake/shared as TypeScript sources: Next compiles them like the web's own.
  transpilePackages: ['@csvlake/shared'],
  poweredByHeader: false,
  reactStrictMode: true,
  devIndicators: false,
}

export default config
