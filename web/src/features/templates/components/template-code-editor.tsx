import {
  autocompletion,
  type Completion,
  type CompletionContext,
  type CompletionResult,
} from '@codemirror/autocomplete';
import {
  Decoration,
  type DecorationSet,
  EditorView,
  hoverTooltip,
  MatchDecorator,
  ViewPlugin,
  type ViewUpdate,
} from '@codemirror/view';
import { Box, FormHelperText, FormLabel } from '@mui/material';
import { useTheme } from '@mui/material/styles';
import CodeMirror from '@uiw/react-codemirror';
import { memo, useCallback, useId, useLayoutEffect, useMemo, useRef } from 'react';
import type { TemplateVariable } from '@/lib/api/models';
import { monoFont } from '@/theme/theme';

const VAR_RE = /\{\{\s*([A-Za-z_][A-Za-z0-9_.]*)\s*\}\}/g;

function variableHighlighter(known: ReadonlySet<string>) {
  const decorator = new MatchDecorator({
    regexp: VAR_RE,
    decoration: (m) =>
      Decoration.mark({
        class: known.has(m[1] as string) ? 'cm-tpl-var' : 'cm-tpl-var cm-tpl-var-unknown',
        attributes: { 'data-variable': m[1] as string },
      }),
  });
  return ViewPlugin.fromClass(
    class {
      decorations: DecorationSet;
      constructor(view: EditorView) {
        this.decorations = decorator.createDeco(view);
      }
      update(u: ViewUpdate) {
        this.decorations = decorator.updateDeco(u, this.decorations);
      }
    },
    { decorations: (v) => v.decorations },
  );
}

function variableCompletion(variables: readonly TemplateVariable[]) {
  const options: Completion[] = variables.map((v) => ({
    label: v.name,
    type: 'variable',
    detail: v.category,
    info: () => {
      const el = document.createElement('div');
      el.style.maxWidth = '320px';
      el.innerHTML = '';
      const d = document.createElement('div');
      d.textContent = v.description;
      const ex = document.createElement('pre');
      ex.style.cssText = 'margin:6px 0 0;white-space:pre-wrap;font-size:12px;opacity:.8';
      ex.textContent = `e.g. ${v.example}`;
      el.append(d, ex);
      return el;
    },
  }));
  return (ctx: CompletionContext): CompletionResult | null => {
    const m = ctx.matchBefore(/\{\{\s*[A-Za-z0-9_.]*$/);
    if (!m) return null;
    const nameStart = m.from + (m.text.match(/^\{\{\s*/)?.[0].length ?? 2);
    const after = ctx.state.sliceDoc(ctx.pos, ctx.pos + 2);
    return {
      from: nameStart,
      options: options.map((o) => ({ ...o, apply: after === '}}' ? o.label : `${o.label}}}` })),
      validFor: /^[A-Za-z0-9_.]*$/,
    };
  };
}

function variableHover(byName: ReadonlyMap<string, TemplateVariable>) {
  return hoverTooltip((view, pos) => {
    const line = view.state.doc.lineAt(pos);
    for (const m of line.text.matchAll(VAR_RE)) {
      const from = line.from + (m.index ?? 0);
      const to = from + m[0].length;
      if (pos < from || pos > to) continue;
      const v = byName.get(m[1] as string);
      return {
        pos: from,
        end: to,
        above: true,
        create: () => {
          const dom = document.createElement('div');
          dom.className = 'cm-tpl-tooltip';
          const title = document.createElement('strong');
          title.textContent = m[1] as string;
          const body = document.createElement('div');
          body.textContent = v
            ? v.description
            : 'Not a built-in variable: it is filled only if extraction produced a fact with this name.';
          dom.append(title, body);
          if (v) {
            const ex = document.createElement('pre');
            ex.textContent = `e.g. ${v.example}`;
            dom.append(ex);
          }
          return { dom };
        },
      };
    }
    return null;
  });
}

export interface TemplateCodeEditorProps {
  label: string;
  value: string;
  onChange: (value: string) => void;
  variables: readonly TemplateVariable[];
  minHeight?: string;
  maxHeight?: string;
  helperText?: string;
  error?: boolean;
  onFocusView?: (view: EditorView) => void;
  readOnly?: boolean;
}

// Module constant: @uiw/react-codemirror reconfigures the whole editor whenever `basicSetup`,
// `extensions` or `onChange` change identity, so none of them may be created per render.
const BASIC_SETUP = {
  lineNumbers: true,
  foldGutter: false,
  highlightActiveLine: false,
  autocompletion: false,
} as const;

/**
 * CodeMirror 6 for template text: `{{variables}}` highlighted (unknown ones in amber), completed and explained on hover.
 * Memoised and with identity-stable CodeMirror props: a keystroke in one editor neither re-renders nor reconfigures
 * the other, and the typed-in editor only compares its value (CodeMirror already holds it).
 */
export const TemplateCodeEditor = memo(function TemplateCodeEditor({
  label,
  value,
  onChange,
  variables,
  minHeight = '240px',
  maxHeight = '60vh',
  helperText,
  error,
  onFocusView,
  readOnly,
}: TemplateCodeEditorProps) {
  const id = useId();
  const theme = useTheme();
  // The latest callbacks, read when CodeMirror calls them: new closures from the parent must not
  // change `onChange`/`extensions` (each change reconfigures CodeMirror).
  const onChangeRef = useRef(onChange);
  const onFocusViewRef = useRef(onFocusView);
  useLayoutEffect(() => {
    onChangeRef.current = onChange;
    onFocusViewRef.current = onFocusView;
  });
  const handleChange = useCallback((v: string) => onChangeRef.current(v), []);
  const extensions = useMemo(() => {
    const byName = new Map(variables.map((v) => [v.name, v]));
    const known = new Set(byName.keys());
    return [
      EditorView.lineWrapping,
      EditorView.contentAttributes.of({ 'aria-label': label, 'aria-describedby': `${id}-help` }),
      variableHighlighter(known),
      autocompletion({ override: [variableCompletion(variables)], activateOnTyping: true }),
      variableHover(byName),
      EditorView.domEventHandlers({
        focus: (_e, view) => {
          onFocusViewRef.current?.(view);
          return false;
        },
      }),
      EditorView.theme({
        '&': { fontSize: '13px' },
        '.cm-content': { fontFamily: monoFont },
        '.cm-tpl-var': {
          color: theme.palette.primary.main,
          backgroundColor: 'rgba(57,73,171,0.10)',
          borderRadius: '3px',
          fontWeight: 600,
        },
        '.cm-tpl-var-unknown': { color: theme.palette.warning.dark, backgroundColor: 'rgba(237,108,2,0.12)' },
        '.cm-tpl-tooltip': { padding: '6px 8px', maxWidth: '340px', fontSize: '12px' },
        '.cm-tpl-tooltip pre': { margin: '4px 0 0', whiteSpace: 'pre-wrap', opacity: 0.8 },
      }),
    ];
  }, [variables, label, id, theme]);

  return (
    <Box>
      <FormLabel id={`${id}-label`} sx={{ display: 'block', mb: 0.5, fontSize: 14 }} error={error}>
        {label}
      </FormLabel>
      <Box
        sx={{
          border: 1,
          borderColor: error ? 'error.main' : 'divider',
          borderRadius: 1,
          overflow: 'hidden',
          '&:focus-within': {
            borderColor: 'primary.main',
            boxShadow: (t) => `0 0 0 1px ${t.palette.primary.main}`,
          },
        }}
      >
        <CodeMirror
          value={value}
          onChange={handleChange}
          extensions={extensions}
          readOnly={readOnly}
          minHeight={minHeight}
          maxHeight={maxHeight}
          theme={theme.palette.mode === 'dark' ? 'dark' : 'light'}
          basicSetup={BASIC_SETUP}
          // Tab leaves the editor (to the next field) instead of indenting: no keyboard trap, and
          // prompt text has no use for tab indentation.
          indentWithTab={false}
        />
      </Box>
      <FormHelperText id={`${id}-help`} error={error}>
        {helperText ?? 'Type {{ to insert a variable.'}
      </FormHelperText>
    </Box>
  );
});

/** Inserts `{{name}}` at the cursor of the given editor. */
export function insertVariable(view: EditorView | null, name: string) {
  if (!view) return false;
  const text = `{{${name}}}`;
  const { from, to } = view.state.selection.main;
  view.dispatch({
    changes: { from, to, insert: text },
    selection: { anchor: from + text.length },
    scrollIntoView: true,
  });
  view.focus();
  return true;
}
