import type { EditorView } from '@codemirror/view';
import DeleteIcon from '@mui/icons-material/Delete';
import SaveIcon from '@mui/icons-material/Save';
import {
  Alert,
  Box,
  Button,
  CircularProgress,
  FormControlLabel,
  Grid,
  MenuItem,
  Paper,
  Stack,
  Switch,
  Tab,
  Tabs,
  TextField,
} from '@mui/material';
import {
  type FormEvent,
  type KeyboardEvent,
  memo,
  useCallback,
  useDeferredValue,
  useEffect,
  useMemo,
  useRef,
  useState,
} from 'react';
import { useBlocker, useNavigate, useParams, useSearchParams } from 'react-router-dom';
import { ConfirmDialog } from '@/components/confirm-dialog';
import { ErrorAlert } from '@/components/error-alert';
import { Loading } from '@/components/loading';
import { PageHeader } from '@/components/page-header';
import { RequireBusiness } from '@/components/require-business';
import { fieldErrorsOf } from '@/lib/api/errors';
import type { Template, TemplateVariable } from '@/lib/api/models';
import { useDeleteTemplate } from '@/lib/api/templates/delete-template';
import { getTemplate, useTemplate } from '@/lib/api/templates/get-template';
import { useTemplateVariables } from '@/lib/api/templates/get-template-variables';
import { type TemplateInput, useCreateTemplate, useUpdateTemplate } from '@/lib/api/templates/save-template';
import { extractVariables } from '@/lib/format';
import { paths } from '@/lib/paths';
import { TEMPLATE_TYPE_LABELS, TEMPLATE_TYPES, type TemplateType } from '@/lib/template-types';
import { initialPreviewContext, type PreviewContext, PreviewContextForm } from './preview-context';
import { insertVariable, TemplateCodeEditor } from './template-code-editor';
import { TemplateHistoryPanel } from './template-history-panel';
import { TemplatePreviewPanel } from './template-preview-panel';
import { TemplateTestPanel } from './template-test-panel';
import { VariablePalette } from './variable-palette';

export function TemplateEditPage() {
  const { templateId } = useParams();
  return (
    <RequireBusiness>
      {(businessId) => (
        <LoadTemplate
          key={`${businessId}/${templateId}`}
          businessId={businessId}
          templateId={templateId as string}
        />
      )}
    </RequireBusiness>
  );
}

export function TemplateCreatePage() {
  const [params] = useSearchParams();
  const type = (TEMPLATE_TYPES as readonly string[]).includes(params.get('type') ?? '')
    ? (params.get('type') as TemplateType)
    : 'response_generation';
  return (
    <RequireBusiness>
      {(businessId) => (
        <TemplateEditor
          key={businessId}
          businessId={businessId}
          initial={{
            template_name: '',
            template_type: type,
            content: '',
            system_prompt: '',
            is_default: false,
          }}
        />
      )}
    </RequireBusiness>
  );
}

function LoadTemplate({ businessId, templateId }: { businessId: string; templateId: string }) {
  const t = useTemplate(businessId, templateId);
  if (t.isLoading) return <Loading />;
  if (t.error || !t.data)
    return <ErrorAlert error={t.error ?? new Error('Template not found.')} onRetry={() => t.refetch()} />;
  return <TemplateEditor businessId={businessId} template={t.data} initial={toInput(t.data)} />;
}

function toInput(t: Template): TemplateInput {
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

/*
 * Typing performance: every keystroke updates `draft` here, so this component renders per keystroke and
 * must stay cheap. Everything heavy is a memoised child with identity-stable props (callbacks through
 * useCallback/refs, `used` kept while its names do not change), and the tools below the editor
 * (preview, test run, history) follow the text through useDeferredValue, in an interruptible render.
 * Covered by the render-count test in template-editor.test.tsx.
 */
export function TemplateEditor({
  businessId,
  template,
  initial,
}: {
  businessId: string;
  template?: Template;
  initial: TemplateInput;
}) {
  const navigate = useNavigate();
  const catalogue = useTemplateVariables(businessId);
  const create = useCreateTemplate(businessId);
  const update = useUpdateTemplate(businessId, template?.template_id ?? '');
  const del = useDeleteTemplate(businessId);
  const save = template ? update : create;
  const [draft, setDraft] = useState<TemplateInput>(initial);
  const [baseline, setBaseline] = useState<TemplateInput>(initial);
  const [serverWarnings, setServerWarnings] = useState<string[]>([]);
  const [confirmDelete, setConfirmDelete] = useState(false);
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
  const fe = fieldErrorsOf(save.error);

  // One consistent snapshot for the tools below the editor (which render it at low priority).
  const sendDraft = draft.content !== baseline.content || draft.system_prompt !== baseline.system_prompt;
  const toolsDraft = useMemo<ToolsDraft>(
    () => ({ content: draft.content, systemPrompt: draft.system_prompt, sendDraft, used }),
    [draft.content, draft.system_prompt, sendDraft, used],
  );

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

  const onFocusContent = useCallback((v: EditorView) => {
    activeView.current = v;
    contentView.current = v;
  }, []);
  const onFocusSystem = useCallback((v: EditorView) => {
    activeView.current = v;
  }, []);
  const onSystemPromptChange = useCallback((v: string) => setDraft((d) => ({ ...d, system_prompt: v })), []);
  const onContentChange = useCallback((v: string) => setDraft((d) => ({ ...d, content: v })), []);
  const onMetaChange = useCallback(
    (patch: Partial<Pick<TemplateInput, 'template_name' | 'template_type' | 'is_default'>>) =>
      setDraft((d) => ({ ...d, ...patch })),
    [],
  );
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
          allowLeave.current = true;
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

  // Same element while `template` is unchanged: React skips it on keystrokes.
  const header = useMemo(
    () => (
      <PageHeader
        title={template ? template.template_name : 'New template'}
        subtitle={
          template
            ? TEMPLATE_TYPE_LABELS[template.template_type]
            : 'Prompt text with {{variables}} filled in at run time.'
        }
        actions={
          template ? (
            <Button color="error" startIcon={<DeleteIcon />} onClick={() => setConfirmDelete(true)}>
              Delete template
            </Button>
          ) : undefined
        }
      />
    ),
    [template],
  );

  return (
    <>
      {header}
      <Grid container spacing={2}>
        <Grid size={{ xs: 12, md: 8, xl: 9 }}>
          <Paper
            component="form"
            noValidate
            onSubmit={submit}
            onKeyDown={onKeyDown}
            sx={{ p: { xs: 1.5, sm: 2 } }}
            aria-label="Template"
          >
            <Stack spacing={2}>
              <TemplateMetaFields
                name={draft.template_name}
                type={draft.template_type}
                isDefault={draft.is_default}
                nameError={fe.template_name}
                typeError={fe.template_type}
                onChange={onMetaChange}
              />
              <TemplateCodeEditor
                label="System prompt"
                value={draft.system_prompt}
                onChange={onSystemPromptChange}
                variables={variables}
                minHeight="60px"
                maxHeight="200px"
                helperText={fe.system_prompt ?? 'Optional instructions sent as the system message.'}
                error={!!fe.system_prompt}
                onFocusView={onFocusSystem}
              />
              <TemplateCodeEditor
                label="Template content"
                value={draft.content}
                onChange={onContentChange}
                variables={variables}
                helperText={fe.content}
                error={!!fe.content}
                onFocusView={onFocusContent}
              />
              {unknown.length > 0 && (
                <Alert severity="warning" role="alert">
                  Unknown variables: {unknown.map((v) => `{{${v}}}`).join(', ')}. They are not built in and
                  render empty unless extraction produces a fact with that name.
                </Alert>
              )}
              {serverWarnings.length > 0 && (
                <Alert severity="warning">
                  {serverWarnings.map((w) => (
                    <div key={w}>{w}</div>
                  ))}
                </Alert>
              )}
              <ErrorAlert error={save.error} />
              <Stack direction="row" spacing={2} sx={{ alignItems: 'center' }}>
                <Button
                  type="submit"
                  variant="contained"
                  disabled={save.isPending || (!dirty && !!template) || !draft.template_name.trim()}
                  startIcon={save.isPending ? <CircularProgress size={16} color="inherit" /> : <SaveIcon />}
                >
                  {template ? 'Save template' : 'Create template'}
                </Button>
                {dirty && template && (
                  <Button onClick={() => setDraft(baseline)} disabled={save.isPending}>
                    Discard changes
                  </Button>
                )}
                <Box role="status" sx={{ color: 'text.secondary', fontSize: 14 }}>
                  {dirty ? 'Unsaved changes' : savedAt ? 'Saved' : ''}
                </Box>
              </Stack>
            </Stack>
          </Paper>
          <TemplateTools
            businessId={businessId}
            template={template}
            draft={toolsDraft}
            catalogue={variables}
            onRestored={onRestored}
          />
        </Grid>
        <Grid size={{ xs: 12, md: 4, xl: 3 }}>
          <Box sx={{ position: { md: 'sticky' }, top: { md: 80 } }}>
            <ErrorAlert error={catalogue.error} />
            {catalogue.isLoading ? (
              <Loading label="Loading variables" />
            ) : (
              <VariablePalette variables={variables} used={usedSet} onInsert={onInsert} />
            )}
          </Box>
        </Grid>
      </Grid>
      <ConfirmDialog
        open={confirmDelete}
        title="Delete template?"
        message="A template that a stage still uses cannot be deleted: pick another template for that stage first."
        pending={del.isPending}
        error={del.error}
        onClose={() => {
          setConfirmDelete(false);
          del.reset();
        }}
        onConfirm={() =>
          template &&
          del.mutate(template.template_id, {
            onSuccess: () => {
              allowLeave.current = true;
              navigate(paths.templates(), { replace: true });
            },
          })
        }
      />
      <ConfirmDialog
        open={blocker.state === 'blocked'}
        title="Leave without saving?"
        message="Your changes to this template will be lost."
        confirmLabel="Leave"
        onClose={() => blocker.reset?.()}
        onConfirm={() => blocker.proceed?.()}
      />
    </>
  );
}

/** Name, type and default flag: memoised, so typing in the code editors does not re-render them. */
const TemplateMetaFields = memo(function TemplateMetaFields({
  name,
  type,
  isDefault,
  nameError,
  typeError,
  onChange,
}: {
  name: string;
  type: TemplateType;
  isDefault: boolean;
  nameError?: string;
  typeError?: string;
  onChange: (patch: Partial<Pick<TemplateInput, 'template_name' | 'template_type' | 'is_default'>>) => void;
}) {
  return (
    <Grid container spacing={2}>
      <Grid size={{ xs: 12, sm: 6 }}>
        <TextField
          label="Template name"
          required
          fullWidth
          value={name}
          onChange={(e) => onChange({ template_name: e.target.value })}
          error={!!nameError}
          helperText={nameError}
        />
      </Grid>
      <Grid size={{ xs: 12, sm: 4 }}>
        <TextField
          select
          label="Template type"
          fullWidth
          value={type}
          onChange={(e) => onChange({ template_type: e.target.value as TemplateType })}
          error={!!typeError}
          helperText={typeError}
        >
          {TEMPLATE_TYPES.map((t) => (
            <MenuItem key={t} value={t}>
              {TEMPLATE_TYPE_LABELS[t]}
            </MenuItem>
          ))}
        </TextField>
      </Grid>
      <Grid size={{ xs: 12, sm: 2 }}>
        <FormControlLabel
          control={
            <Switch checked={isDefault} onChange={(e) => onChange({ is_default: e.target.checked })} />
          }
          label="Default"
        />
      </Grid>
    </Grid>
  );
});

interface ToolsDraft {
  content: string;
  systemPrompt: string;
  /** The editor differs from the saved template: preview and test the draft text. */
  sendDraft: boolean;
  used: string[];
}

interface TemplateToolsProps {
  businessId: string;
  template: Template | undefined;
  draft: ToolsDraft;
  catalogue: readonly TemplateVariable[];
  onRestored: () => void;
}

/**
 * Preview, test run and history below the editor. They follow the draft through useDeferredValue: on a
 * keystroke the urgent render stops here, and the tools re-render in a separate, interruptible render.
 */
const TemplateTools = memo(function TemplateTools({ draft, ...rest }: TemplateToolsProps) {
  const deferred = useDeferredValue(draft);
  return <TemplateToolsContent draft={deferred} {...rest} />;
});

const TemplateToolsContent = memo(function TemplateToolsContent({
  businessId,
  template,
  draft: { content, systemPrompt, sendDraft, used },
  catalogue,
  onRestored,
}: TemplateToolsProps) {
  const [tab, setTab] = useState<ToolTab>('preview');
  const [ctx, setCtx] = useState<PreviewContext>(initialPreviewContext);
  return (
    <Paper sx={{ mt: 2 }}>
      <TemplateToolTabs tab={tab} onChange={setTab} historyDisabled={!template} />
      <Box sx={{ p: { xs: 1.5, sm: 2 } }}>
        {tab !== 'history' && (
          <Grid container spacing={2}>
            <Grid size={{ xs: 12, lg: 4 }}>
              <PreviewContextForm
                businessId={businessId}
                ctx={ctx}
                onChange={setCtx}
                used={used}
                catalogue={catalogue}
              />
            </Grid>
            <Grid size={{ xs: 12, lg: 8 }}>
              {tab === 'preview' ? (
                <TemplatePreviewPanel
                  businessId={businessId}
                  templateId={template?.template_id}
                  content={content}
                  systemPrompt={systemPrompt}
                  sendDraft={sendDraft}
                  used={used}
                  catalogue={catalogue}
                  ctx={ctx}
                />
              ) : (
                <TemplateTestPanel
                  businessId={businessId}
                  templateId={template?.template_id}
                  content={content}
                  systemPrompt={systemPrompt}
                  sendDraft={sendDraft}
                  used={used}
                  catalogue={catalogue}
                  ctx={ctx}
                />
              )}
            </Grid>
          </Grid>
        )}
        {tab === 'history' && template && (
          <TemplateHistoryPanel
            businessId={businessId}
            template={template}
            draftContent={content}
            onRestored={onRestored}
          />
        )}
      </Box>
    </Paper>
  );
});

type ToolTab = 'preview' | 'test' | 'history';

/** MUI Tabs measure their indicator (a forced layout) on every render: render them only when the tab changes. */
const TemplateToolTabs = memo(function TemplateToolTabs({
  tab,
  onChange,
  historyDisabled,
}: {
  tab: ToolTab;
  onChange: (tab: ToolTab) => void;
  historyDisabled: boolean;
}) {
  return (
    <Tabs value={tab} onChange={(_, v) => onChange(v)} aria-label="Template tools" variant="scrollable">
      <Tab value="preview" label="Preview" />
      <Tab value="test" label="Test run" />
      <Tab value="history" label="History" disabled={historyDisabled} />
    </Tabs>
  );
});
