import { fileURLToPath } from 'node:url'
import { defineConfig } from 'vitest/config'

const web = fileURLToPath(new URL('./web', import.meta.url))

export default defineConfig({
  test: {
    testTimeout: 30_000,
    hookTimeout: 30_000,
    pool: 'forks',
    projects: [
      {
        extends: true,
        test: { name: 'api', include: ['functions/**/*.test.ts', 'statemachines/**/*.test.ts', 'bench/**/*.test.ts', 'scripts/**/*.test.ts', 'knative/**/*.test.ts', 'infra/**/*.test.ts', 'deploy/**/*.test.ts'] },
      },
      {
        // The web's components, rendered in jsdom with Testing Library.
        extends: true,
        resolve: { alias: { '@': web } },
        test: {
          name: 'web',
          include: ['web/**/*.test.{ts,tsx}'],
          exclude: ['web/e2e/**', '**/node_modules/**'],
          environment: 'jsdom',
          setupFiles: ['web/test/setup.ts'],
        },
      },
      {
        // The web in real Chromium against the built app (`node scripts/build.mjs` runs first).
        // A page's answer is waited for up to 15 s (expect.poll's default is 1 s): these run beside
        // the container builds, and a loaded machine was seen taking longer for a first page.
        extends: true,
        test: { name: 'browser', include: ['web/e2e/**/*.test.ts'], testTimeout: 90_000, hookTimeout: 90_000, expect: { poll: { timeout: 15_000 } } },
      },
    ],
  },
})
