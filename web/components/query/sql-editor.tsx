'use client'

import { autocompletion, closeBrackets, closeBracketsKeymap, closeCompletion, completionKeymap } from '@codemirror/autocomplete'
import { defaultKeymap, history, historyKeymap, indentWithTab } from '@codemirror/commands'
import { PostgreSQL, sql, type SQLNamespace } from '@codemirror/lang-sql'
import { bracketMatching, defaultHighlightStyle, HighlightStyle, syntaxHighlighting } from '@codemirror/language'
import { Compartment, EditorState, RangeSetBuilder, StateEffect, StateField } from '@codemirror/state'
import { Decoration, drawSelection, EditorView, highlightActiveLine, keymap, lineNumbers, placeholder, type DecorationSet } from '@codemirror/view'
import { tags } from '@lezer/highlight'
import { forwardRef, useEffect, useImperativeHandle, useRef } from 'react'
import type { Column } from '@/lib/api/client'

export type SqlEditorHandle = {
  /** Puts text at the cursor (or over the selection) and focuses the editor. */
  insert: (text: string) => void
  focus: () => void
}

type Props = {
  value: string
  onChange: (value: string) => void
  /** Ctrl/Cmd+Enter. */
  onRun: () => void
  /** The user's tables and their columns, for autocomplete. */
  schema: Record<string, Column[]>
  /** The line (1-based) an error points at: marked until the SQL changes. */
  errorLine?: number
  /** The column (1-based) on that line: the word there is underlined. */
  errorColumn?: number
  label?: string
}

const setErrorLine = StateEffect.define<{ line: number; column?: number } | null>()

/** A whole-line mark on the line an SQL error points at; any edit clears it. */
const errorLineField = StateField.define<DecorationSet>({
  create: () => Decoration.none,
  update(marks, tr) {
    for (const effect of tr.effects) {
      if (!effect.is(setErrorLine)) continue
      const at = effect.value
      if (at === null || at.line < 1 || at.line > tr.state.doc.lines) return Decoration.none
      const line = tr.state.doc.line(at.line)
      const builder = new RangeSetBuilder<Decoration>()
      builder.add(line.from, line.from, Decoration.line({ class: 'cm-error-line', attributes: { 'data-error-line': String(at.line) } }))
      if (at.column !== undefined && at.column >= 1 && at.column <= line.length) {
        // The word (or the one character) the error points at.
        const from = line.from + at.column - 1
        const word = /^[\w"]+/.exec(line.text.slice(at.column - 1))?.[0].length ?? 1
        builder.add(from, from + word, Decoration.mark({ class: 'cm-error-mark', attributes: { 'data-error-column': String(at.column) } }))
      }
      return builder.finish()
    }
    return tr.docChanged ? Decoration.none : marks
  },
  provide: (field) => EditorView.decorations.from(field),
})

const highlight = HighlightStyle.define([
  { tag: tags.keyword, color: 'var(--primary)', fontWeight: '600' },
  { tag: [tags.string, tags.special(tags.string)], color: 'oklch(0.55 0.13 150)' },
  { tag: [tags.number, tags.bool, tags.null], color: 'oklch(0.6 0.15 45)' },
  { tag: tags.comment, color: 'var(--muted-foreground)', fontStyle: 'italic' },
  { tag: [tags.operator, tags.punctuation], color: 'var(--muted-foreground)' },
])

const theme = EditorView.theme({
  '&': { fontSize: '13px', backgroundColor: 'transparent', color: 'var(--foreground)', height: '100%' },
  '.cm-content': { fontFamily: 'var(--font-mono-stack)', caretColor: 'var(--foreground)', padding: '8px 0' },
  '.cm-gutters': { backgroundColor: 'transparent', color: 'var(--muted-foreground)', border: 'none' },
  '.cm-activeLine': { backgroundColor: 'color-mix(in oklch, var(--accent) 50%, transparent)' },
  '.cm-activeLineGutter': { backgroundColor: 'transparent', color: 'var(--foreground)' },
  '&.cm-focused': { outline: 'none' },
  '.cm-selectionBackground, &.cm-focused .cm-selectionBackground': { backgroundColor: 'color-mix(in oklch, var(--primary) 25%, transparent) !important' },
  '.cm-error-mark': { textDecoration: 'underline wavy var(--destructive)', textUnderlineOffset: '3px' },
  '.cm-error-line': { backgroundColor: 'color-mix(in oklch, var(--destructive) 14%, transparent)', boxShadow: 'inset 3px 0 var(--destructive)' },
  '.cm-tooltip': { backgroundColor: 'var(--popover)', color: 'var(--popover-foreground)', border: '1px solid var(--border)', borderRadius: '6px' },
  '.cm-tooltip-autocomplete > ul > li[aria-selected]': { backgroundColor: 'var(--accent)', color: 'var(--accent-foreground)' },
  '.cm-placeholder': { color: 'var(--muted-foreground)' },
})

export function schemaNamespace(schema: Record<string, Column[]>): SQLNamespace {
  return Object.fromEntries(Object.entries(schema).map(([table, columns]) => [table, columns.map((c) => ({ label: c.name, type: 'property', detail: c.type }))]))
}

/** CodeMirror 6 with SQL highlighting, autocomplete of the user's tables and columns, and Ctrl/Cmd+Enter to run. */
export const SqlEditor = forwardRef<SqlEditorHandle, Props>(function SqlEditor({ value, onChange, onRun, schema, errorLine, errorColumn, label = 'SQL' }, ref) {
  const host = useRef<HTMLDivElement>(null)
  const view = useRef<EditorView | null>(null)
  const language = useRef(new Compartment())
  const callbacks = useRef({ onChange, onRun })
  callbacks.current = { onChange, onRun }

  useEffect(() => {
    const run = (editor: EditorView) => {
      // The popup would stay open over the editor while the query runs.
      closeCompletion(editor)
      callbacks.current.onRun()
      return true
    }
    const editor = new EditorView({
      parent: host.current!,
      state: EditorState.create({
        doc: value,
        extensions: [
          lineNumbers(),
          history(),
          drawSelection(),
          bracketMatching(),
          closeBrackets(),
          highlightActiveLine(),
          autocompletion({ icons: false }),
          keymap.of([{ key: 'Mod-Enter', run, preventDefault: true }, ...closeBracketsKeymap, ...defaultKeymap, ...historyKeymap, ...completionKeymap, indentWithTab]),
          language.current.of(sql({ dialect: PostgreSQL, schema: schemaNamespace(schema), upperCaseKeywords: true })),
          syntaxHighlighting(highlight),
          syntaxHighlighting(defaultHighlightStyle, { fallback: true }),
          errorLineField,
          theme,
          placeholder('SELECT * FROM my_table LIMIT 100'),
          EditorView.lineWrapping,
          EditorView.contentAttributes.of({ 'aria-label': label }),
          EditorView.updateListener.of((update) => {
            if (update.docChanged) callbacks.current.onChange(update.state.doc.toString())
          }),
        ],
      }),
    })
    view.current = editor
    return () => editor.destroy()
    // The editor is made once; value, schema and errors flow in through the effects below.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [])

  useEffect(() => {
    const editor = view.current
    if (!editor || editor.state.doc.toString() === value) return
    editor.dispatch({ changes: { from: 0, to: editor.state.doc.length, insert: value } })
  }, [value])

  useEffect(() => {
    view.current?.dispatch({ effects: language.current.reconfigure(sql({ dialect: PostgreSQL, schema: schemaNamespace(schema), upperCaseKeywords: true })) })
  }, [schema])

  useEffect(() => {
    view.current?.dispatch({ effects: setErrorLine.of(errorLine === undefined ? null : { line: errorLine, column: errorColumn }) })
  }, [errorLine, errorColumn])

  useImperativeHandle(ref, () => ({
    insert(text) {
      const editor = view.current
      if (!editor) return
      editor.dispatch(editor.state.replaceSelection(text))
      editor.focus()
    },
    focus: () => view.current?.focus(),
  }))

  return <div ref={host} className="h-full min-h-0 overflow-auto" data-testid="sql-editor" />
})
