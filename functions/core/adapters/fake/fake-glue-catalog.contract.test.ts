import { catalogContract } from '../../ports/catalog.contract.ts'
import { FakeGlue } from './fake-glue.ts'
import { FakeGlueCatalog } from './fake-glue-catalog.ts'

catalogContract('FakeGlueCatalog', async () => {
  const glue = new FakeGlue()
  return { catalog: new FakeGlueCatalog(glue), replica: () => new FakeGlueCatalog(glue) }
})
