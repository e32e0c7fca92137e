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
import { type FormEvent, type KeyboardEvent, useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { useBlocker, useNavigate, useParams, useSearchParams } from 'react-router-dom';
import { ConfirmDialog } from '@/components/confirm-dialog';
import { ErrorAlert } from '@/components/error-alert';
import { Loading } from '@/components/loading';
import { PageHeader } from '@/components/page-header';
import { RequireBusiness } from '@/components/require-business';
import { fieldErrorsOf } from '@/lib/api/errors';
import { TEMPLATE_TYPES, type Template, type TemplateType } from '@/lib/api/types';
import { extractVariables } from '@/lib/format';
import { useDeleteTemplate } from '../api/delete-template';
import { getTemplate, useTemplate } from '../api/get-template';
import { useTemplateVariables } from '../api/get-template-variables';
import { type TemplateInput, useCreateTemplate, useUpdateTemplate } from '../api/save-template';
import { initialPreviewContext, type PreviewContext, PreviewContextForm } from './preview-context';
import { insertVariable, TemplateCodeEditor } from './template-code-editor';
import { TemplateHistoryPanel } from './template-history-panel';
import { TemplatePreviewPanel } from './template-preview-panel';
import { TemplateTestPanel } from './template-test-panel';
import { TEMPLATE_TYPE_LABELS } from './template-types';
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
  const [serverWarnings, setServerWarnings] = useState<string[]>(template?.warnings ?? []);
  const [tab, setTab] = useState<'preview' | 'test' | 'history'>('preview');
  const [ctx, setCtx] = useState<PreviewContext>(initialPreviewContext);
  const [confirmDelete, setConfirmDelete] = useState(false);
  const [savedAt, setSavedAt] = useState<number | null>(null);
  const activeView = useRef<EditorView | null>(null);
  const contentView = useRef<EditorView | null>(null);

  const variables = catalogue.data?.variables ?? [];
  const known = useMemo(() => new Set(variables.map((v) => v.name)), [variables]);
  const used = useMemo(
    () => [...new Set([...extractVariables(draft.content), ...extractVariables(draft.system_prompt)])],
    [draft.content, draft.system_prompt],
  );
  const unknown = catalogue.data ? used.filter((v) => !known.has(v)) : [];
  const dirty = JSON.stringify(draft) !== JSON.stringify(baseline);
  const fe = fieldErrorsOf(save.error);

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
          navigate(`/templates/${t.template_id}`, { replace: true });
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

  return (
    <>
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
              <Grid container spacing={2}>
                <Grid size={{ xs: 12, sm: 6 }}>
                  <TextField
                    label="Template name"
                    required
                    fullWidth
                    value={draft.template_name}
                    onChange={(e) => setDraft({ ...draft, template_name: e.target.value })}
                    error={!!fe.template_name}
                    helperText={fe.template_name}
                  />
                </Grid>
                <Grid size={{ xs: 12, sm: 4 }}>
                  <TextField
                    select
                    label="Template type"
                    fullWidth
                    value={draft.template_type}
                    onChange={(e) => setDraft({ ...draft, template_type: e.target.value as TemplateType })}
                    error={!!fe.template_type}
                    helperText={fe.template_type}
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
                      <Switch
                        checked={draft.is_default}
                        onChange={(e) => setDraft({ ...draft, is_default: e.target.checked })}
                      />
                    }
                    label="Default"
                  />
                </Grid>
              </Grid>
              <TemplateCodeEditor
                label="System prompt"
                value={draft.system_prompt}
                onChange={(v) => setDraft((d) => ({ ...d, system_prompt: v }))}
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
                onChange={(v) => setDraft((d) => ({ ...d, content: v }))}
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
          <Paper sx={{ mt: 2 }}>
            <Tabs value={tab} onChange={(_, v) => setTab(v)} aria-label="Template tools" variant="scrollable">
              <Tab value="preview" label="Preview" />
              <Tab value="test" label="Test run" />
              <Tab value="history" label="History" disabled={!template} />
            </Tabs>
            <Box sx={{ p: { xs: 1.5, sm: 2 } }}>
              {tab !== 'history' && (
                <Grid container spacing={2}>
                  <Grid size={{ xs: 12, lg: 4 }}>
                    <PreviewContextForm
                      businessId={businessId}
                      ctx={ctx}
                      onChange={setCtx}
                      used={used}
                      catalogue={variables}
                    />
                  </Grid>
                  <Grid size={{ xs: 12, lg: 8 }}>
                    {tab === 'preview' ? (
                      <TemplatePreviewPanel
                        businessId={businessId}
                        templateId={template?.template_id}
                        content={draft.content}
                        systemPrompt={draft.system_prompt}
                        sendDraft={
                          draft.content !== baseline.content || draft.system_prompt !== baseline.system_prompt
                        }
                        used={used}
                        catalogue={variables}
                        ctx={ctx}
                      />
                    ) : (
                      <TemplateTestPanel
                        businessId={businessId}
                        templateId={template?.template_id}
                        content={draft.content}
                        systemPrompt={draft.system_prompt}
                        sendDraft={
                          draft.content !== baseline.content || draft.system_prompt !== baseline.system_prompt
                        }
                        used={used}
                        catalogue={variables}
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
                  draftContent={draft.content}
                  onRestored={async () => {
                    const next = toInput(await getTemplate(businessId, template.template_id));
                    setDraft(next);
                    setBaseline(next);
                  }}
                />
              )}
            </Box>
          </Paper>
        </Grid>
        <Grid size={{ xs: 12, md: 4, xl: 3 }}>
          <Box sx={{ position: { md: 'sticky' }, top: { md: 80 } }}>
            <ErrorAlert error={catalogue.error} />
            {catalogue.isLoading ? (
              <Loading label="Loading variables" />
            ) : (
              <VariablePalette
                variables={variables}
                used={new Set(used)}
                onInsert={(name) => {
                  if (!insertVariable(activeView.current ?? contentView.current, name)) {
                    setDraft((d) => ({ ...d, content: `${d.content}{{${name}}}` }));
                  }
                }}
              />
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
              navigate('/templates', { replace: true });
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
