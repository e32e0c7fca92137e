import type { EditorView } from '@codemirror/view';
import { type FormEvent, type KeyboardEvent, useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { useBlocker, useNavigate } from 'react-router-dom';
import { fieldErrorsOf } from '@/lib/api/errors';
import type { Template, TemplateVariable } from '@/lib/api/models';
import { useDeleteTemplate } from '@/lib/api/templates/delete-template';
import { getTemplate } from '@/lib/api/templates/get-template';
import { useTemplateVariables } from '@/lib/api/templates/get-template-variables';
import { type TemplateInput, useCreateTemplate, useUpdateTemplate } from '@/lib/api/templates/save-template';
import { extractVariables } from '@/lib/format';
import { paths } from '@/lib/paths';
import { insertVariable } from './template-code-editor';
import type { TemplateMetaPatch } from './template-meta-fields';
import type { ToolsDraft } from './template-tools';

export function toInput(t: Template): TemplateInput {
  return {
    template_name: t.template_name,
    template_type: t.template_type,
    content: t.content,
    system_prompt: t.system_prompt ?? '',
    is_default: t.is_default,
  };
}

const NO_VARIABLES: TemplateVariable[] = [];
const NO_NAMES: string[] = [];

function sameInput(a: TemplateInput, b: TemplateInput) {
  return (
    a.template_name === b.template_name &&
    a.template_type === b.template_type &&
    a.content === b.content &&
    a.system_prompt === b.system_prompt &&
    a.is_default === b.is_default
  );
}

/** `list`, or the previous array when it holds the same names: keeps memoised children from re-rendering. */
function useSameList(list: string[]): string[] {
  const ref = useRef(list);
  const prev = ref.current;
  if (prev !== list && (prev.length !== list.length || prev.some((v, i) => v !== list[i])))
    ref.current = list;
  return ref.current;
}

/** Warns before a tab close or an in-app navigation while `dirty`; `allow()` lets the next one through. */
function useLeaveGuard(dirty: boolean) {
  const allowLeave = useRef(false);
  const blocker = useBlocker(
    ({ currentLocation, nextLocation }) =>
      dirty && !allowLeave.current && currentLocation.pathname !== nextLocation.pathname,
  );
  useEffect(() => {
    if (!dirty) return;
    const h = (e: BeforeUnloadEvent) => e.preventDefault();
    window.addEventListener('beforeunload', h);
    return () => window.removeEventListener('beforeunload', h);
  }, [dirty]);
  const allow = useCallback(() => {
    allowLeave.current = true;
  }, []);
  return { blocker, allow };
}

/**
 * The template editor's state: draft vs saved baseline, the variables it uses, save/delete, and the
 * leave guard. Every callback it returns keeps its identity across keystrokes (the view's memoised
 * children depend on that; see template-editor-renders.test.tsx).
 */
export function useTemplateEditor(
  businessId: string,
  template: Template | undefined,
  initial: TemplateInput,
) {
  const navigate = useNavigate();
  const catalogue = useTemplateVariables(businessId);
  const create = useCreateTemplate(businessId);
  const update = useUpdateTemplate(businessId, template?.template_id ?? '');
  const del = useDeleteTemplate(businessId);
  const save = template ? update : create;
  const [draft, setDraft] = useState<TemplateInput>(initial);
  const [baseline, setBaseline] = useState<TemplateInput>(initial);
  const [serverWarnings, setServerWarnings] = useState<string[]>([]);
  const [savedAt, setSavedAt] = useState<number | null>(null);
  const activeView = useRef<EditorView | null>(null);
  const contentView = useRef<EditorView | null>(null);

  const variables = catalogue.data?.variables ?? NO_VARIABLES;
  const known = useMemo(() => new Set(variables.map((v) => v.name)), [variables]);
  const extracted = useMemo(
    () => [...new Set([...extractVariables(draft.content), ...extractVariables(draft.system_prompt)])],
    [draft.content, draft.system_prompt],
  );
  const used = useSameList(extracted);
  const usedSet = useMemo(() => new Set(used), [used]);
  const unknown = useMemo(
    () => (catalogue.data ? used.filter((v) => !known.has(v)) : NO_NAMES),
    [catalogue.data, used, known],
  );
  const dirty = !sameInput(draft, baseline);
  const leave = useLeaveGuard(dirty);

  // One consistent snapshot for the tools below the editor (which render it at low priority).
  const sendDraft = draft.content !== baseline.content || draft.system_prompt !== baseline.system_prompt;
  const toolsDraft = useMemo<ToolsDraft>(
    () => ({ content: draft.content, systemPrompt: draft.system_prompt, sendDraft, used }),
    [draft.content, draft.system_prompt, sendDraft, used],
  );

  const onFocusContent = useCallback((v: EditorView) => {
    activeView.current = v;
    contentView.current = v;
  }, []);
  const onFocusSystem = useCallback((v: EditorView) => {
    activeView.current = v;
  }, []);
  const onSystemPromptChange = useCallback((v: string) => setDraft((d) => ({ ...d, system_prompt: v })), []);
  const onContentChange = useCallback((v: string) => setDraft((d) => ({ ...d, content: v })), []);
  const onMetaChange = useCallback((patch: TemplateMetaPatch) => setDraft((d) => ({ ...d, ...patch })), []);
  const onInsert = useCallback((name: string) => {
    if (!insertVariable(activeView.current ?? contentView.current, name)) {
      setDraft((d) => ({ ...d, content: `${d.content}{{${name}}}` }));
    }
  }, []);
  const onRestored = useCallback(async () => {
    if (!template) return;
    const next = toInput(await getTemplate(businessId, template.template_id));
    setDraft(next);
    setBaseline(next);
  }, [businessId, template]);

  function submit(e?: FormEvent) {
    e?.preventDefault();
    if (save.isPending) return;
    save.mutate(draft, {
      onSuccess: (t) => {
        setServerWarnings(t.warnings ?? []);
        setBaseline(draft);
        setSavedAt(Date.now());
        if (!template) {
          leave.allow();
          navigate(paths.template(t.template_id), { replace: true });
        }
      },
    });
  }

  function onKeyDown(e: KeyboardEvent) {
    if ((e.ctrlKey || e.metaKey) && e.key.toLowerCase() === 's') {
      e.preventDefault();
      submit();
    }
  }

  function remove() {
    if (!template) return;
    del.mutate(template.template_id, {
      onSuccess: () => {
        leave.allow();
        navigate(paths.templates(), { replace: true });
      },
    });
  }

  return {
    catalogue,
    variables,
    used,
    usedSet,
    unknown,
    draft,
    discard: () => setDraft(baseline),
    dirty,
    save,
    fieldErrors: fieldErrorsOf(save.error),
    serverWarnings,
    savedAt,
    toolsDraft,
    del,
    remove,
    blocker: leave.blocker,
    submit,
    onKeyDown,
    onFocusContent,
    onFocusSystem,
    onSystemPromptChange,
    onContentChange,
    onMetaChange,
    onInsert,
    onRestored,
  };
}
