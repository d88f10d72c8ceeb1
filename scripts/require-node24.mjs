// npm puts node_modules/.bin first on the PATH of its scripts, so `node` here is the pinned
// Node 24 from the `node` package. Say so plainly when something else runs us.
const major = Number(process.versions.node.split('.')[0])
if (major < 24) {
  console.error(
    `csvlake needs Node 24 or newer, and brings its own: run it through npm (npm start, npm test) ` +
      `so that node_modules/.bin/node (v24) is used. This is Node ${process.version}.`,
  )
  process.exit(1)
}
