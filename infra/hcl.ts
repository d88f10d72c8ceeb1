import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs'
import { join, relative, resolve } from 'node:path'
import { getReferencesInExpression, parse } from '@cdktf/hcl2json'

/** A block as hcl2json answers it: attributes, with nested blocks as arrays of blocks. */
export type Block = Record<string, unknown>

/** One Terraform module (a folder of .tf files), its top-level blocks merged across files. */
export type TfModule = {
  dir: string
  resources: Record<string, Record<string, Block>>
  data: Record<string, Record<string, Block>>
  variables: Record<string, Block>
  outputs: Record<string, Block>
  modules: Record<string, Block>
  locals: Record<string, unknown>
  /** The labels of `dynamic` blocks: their iterators (rule.value) are not references. */
  dynamicLabels: Set<string>
  /** Every string of the module, with the file it is in. */
  strings: { file: string; text: string }[]
}

const first = (blocks: unknown): Block => (Array.isArray(blocks) ? (blocks[0] as Block) : (blocks as Block))

function collectStrings(value: unknown, file: string, out: { file: string; text: string }[], dynamics: Set<string>): void {
  if (typeof value === 'string') out.push({ file, text: value })
  else if (Array.isArray(value)) for (const v of value) collectStrings(v, file, out, dynamics)
  else if (value && typeof value === 'object') {
    for (const [key, v] of Object.entries(value)) {
      if (key === 'dynamic' && v && typeof v === 'object') for (const label of Object.keys(v)) dynamics.add(label)
      collectStrings(v, file, out, dynamics)
    }
  }
}

/** Parses every .tf file of one folder (hcl2json, the HCL parser Terraform's own library is built on). */
export async function loadModule(dir: string): Promise<TfModule> {
  const mod: TfModule = { dir, resources: {}, data: {}, variables: {}, outputs: {}, modules: {}, locals: {}, dynamicLabels: new Set(), strings: [] }
  for (const name of readdirSync(dir).filter((n) => n.endsWith('.tf')).sort()) {
    const file = join(dir, name)
    const json = await parse(name, readFileSync(file, 'utf8'))
    for (const [type, byName] of Object.entries((json.resource ?? {}) as Record<string, Record<string, unknown>>)) {
      for (const [n, blocks] of Object.entries(byName)) (mod.resources[type] ??= {})[n] = first(blocks)
    }
    for (const [type, byName] of Object.entries((json.data ?? {}) as Record<string, Record<string, unknown>>)) {
      for (const [n, blocks] of Object.entries(byName)) (mod.data[type] ??= {})[n] = first(blocks)
    }
    for (const [n, blocks] of Object.entries((json.variable ?? {}) as Record<string, unknown>)) mod.variables[n] = first(blocks)
    for (const [n, blocks] of Object.entries((json.output ?? {}) as Record<string, unknown>)) mod.outputs[n] = first(blocks)
    for (const [n, blocks] of Object.entries((json.module ?? {}) as Record<string, unknown>)) mod.modules[n] = first(blocks)
    for (const locals of (json.locals ?? []) as Record<string, unknown>[]) Object.assign(mod.locals, locals)
    // A variable's type (string, map(string), object({...})) is a type expression, not references.
    const { variable, ...rest } = json
    const variables = Object.values((variable ?? {}) as Record<string, Block[]>).flat().map(({ type: _type, ...block }) => block)
    collectStrings([rest, variables], file, mod.strings, mod.dynamicLabels)
  }
  return mod
}

/** The root module and every module it calls (by local source), keyed by folder. */
export async function loadConfiguration(rootDir: string): Promise<Map<string, TfModule>> {
  const found = new Map<string, TfModule>()
  const visit = async (dir: string) => {
    if (found.has(dir)) return
    const mod = await loadModule(dir)
    found.set(dir, mod)
    for (const call of Object.values(mod.modules)) {
      const source = String(call.source)
      if (source.startsWith('./') || source.startsWith('../')) {
        const target = resolve(dir, source)
        if (existsSync(target) && statSync(target).isDirectory()) await visit(target)
      }
    }
  }
  await visit(resolve(rootDir))
  return found
}

/** Terraform's own names that are not declarations. */
const BUILT_IN = new Set(['each', 'count', 'path', 'self', 'terraform'])

/**
 * Every reference of the module that names nothing declared: var.x, local.x, module.x (and its
 * output), data.t.n and t.n resources. Expressions are parsed by hcl2json's expression parser,
 * which knows for-expression variables.
 */
export async function unresolvedReferences(mod: TfModule, modules: Map<string, TfModule>): Promise<string[]> {
  const problems: string[] = []
  for (const { file, text } of mod.strings) {
    if (!text.includes('${')) continue
    for (const { value } of await getReferencesInExpression(file, text)) {
      const [head, a, b] = value.split('.')
      const at = `${relative(process.cwd(), file)}: ${value}`
      if (BUILT_IN.has(head!) || mod.dynamicLabels.has(head!)) continue
      if (head === 'var') {
        if (!(a! in mod.variables)) problems.push(`${at} (no variable ${a})`)
      } else if (head === 'local') {
        if (!(a! in mod.locals)) problems.push(`${at} (no local ${a})`)
      } else if (head === 'module') {
        const call = mod.modules[a!]
        if (!call) problems.push(`${at} (no module ${a})`)
        else if (b !== undefined) {
          const target = modules.get(resolve(mod.dir, String(call.source)))
          if (!target || !(b in target.outputs)) problems.push(`${at} (module ${a} has no output ${b})`)
        }
      } else if (head === 'data') {
        if (!mod.data[a!]?.[b!]) problems.push(`${at} (no data source ${a}.${b})`)
      } else if (head!.includes('_')) {
        if (!mod.resources[head!]?.[a!]) problems.push(`${at} (no resource ${head}.${a})`)
      } else {
        problems.push(`${at} (not a kind of reference this check knows)`)
      }
    }
  }
  return problems
}

const META_ARGUMENTS = new Set(['source', 'version', 'providers', 'depends_on', 'count', 'for_each'])

/** Module calls whose source is missing, or whose arguments do not match the module's variables. */
export function moduleCallProblems(mod: TfModule, modules: Map<string, TfModule>): string[] {
  const problems: string[] = []
  for (const [name, call] of Object.entries(mod.modules)) {
    const target = modules.get(resolve(mod.dir, String(call.source)))
    if (!target) {
      problems.push(`module ${name}: no module at ${String(call.source)}`)
      continue
    }
    const args = Object.keys(call).filter((k) => !META_ARGUMENTS.has(k))
    for (const arg of args) if (!(arg in target.variables)) problems.push(`module ${name}: ${arg} is not a variable of ${String(call.source)}`)
    for (const [variable, block] of Object.entries(target.variables)) {
      if (!('default' in block) && !args.includes(variable)) problems.push(`module ${name}: required variable ${variable} is not set`)
    }
  }
  return problems
}

/** A policy document's statements (data "aws_iam_policy_document"). */
export type Statement = { effect?: string; actions?: string[]; not_actions?: string[]; resources?: string[]; principals?: Block[]; condition?: Block[] }

export function statementsOf(doc: Block | undefined): Statement[] {
  return ((doc?.statement ?? []) as Statement[]).map((s) => ({ ...s }))
}

/** The Allow statements' actions of a policy document, as a sorted set. */
export function allowedActions(doc: Block | undefined): string[] {
  return [...new Set(statementsOf(doc).filter((s) => (s.effect ?? 'Allow') === 'Allow').flatMap((s) => s.actions ?? []))].sort()
}
