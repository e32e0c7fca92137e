import DeleteIcon from '@mui/icons-material/Delete';
import SaveIcon from '@mui/icons-material/Save';
import { Alert, Box, Button, CircularProgress, Grid, Paper, Stack } from '@mui/material';
import { useMemo, useState } from 'react';
import { useParams, useSearchParams } from 'react-router-dom';
import { ConfirmDialog } from '@/components/confirm-dialog';
import { DisabledReason } from '@/components/disabled-reason';
import { ErrorAlert } from '@/components/error-alert';
import { Loading } from '@/components/loading';
import { PageHeader } from '@/components/page-header';
import { RequireBusiness } from '@/components/require-business';
import type { Template } from '@/lib/api/models';
import { useTemplate } from '@/lib/api/templates/get-template';
import type { TemplateInput } from '@/lib/api/templates/save-template';
import { useCan } from '@/lib/auth/permissions';
import { TEMPLATE_TYPE_LABELS, TEMPLATE_TYPES, type TemplateType } from '@/lib/template-types';
import { TemplateCodeEditor } from './template-code-editor';
import { TemplateMetaFields } from './template-meta-fields';
import { TemplateTools } from './template-tools';
import { toInput, useTemplateEditor } from './use-template-editor';
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
    return (
      <>
        <PageHeader title="Template" />
        <ErrorAlert error={t.error ?? new Error('Template not found.')} onRetry={() => t.refetch()} />
      </>
    );
  return <TemplateEditor businessId={businessId} template={t.data} initial={toInput(t.data)} />;
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
  const ed = useTemplateEditor(businessId, template, initial);
  const { draft, fieldErrors: fe, save, dirty, blocker } = ed;
  const [confirmDelete, setConfirmDelete] = useState(false);
  const edit = useCan('content.edit');

  // Same element while `template` is unchanged: React skips it on keystrokes.
  const header = useMemo(
    () => (
      <PageHeader
        title={template ? template.template_name : 'New template'}
        documentTitle={template ? `Template: ${template.template_name}` : undefined}
        subtitle={
          template
            ? TEMPLATE_TYPE_LABELS[template.template_type]
            : 'Prompt text with {{variables}} filled in at run time.'
        }
        actions={
          template && edit.allowed ? (
            <Button color="error" startIcon={<DeleteIcon />} onClick={() => setConfirmDelete(true)}>
              Delete template
            </Button>
          ) : undefined
        }
      />
    ),
    [template, edit.allowed],
  );

  return (
    <>
      {header}
      <Grid container spacing={2}>
        <Grid size={{ xs: 12, md: 8, xl: 9 }}>
          <Paper
            component="form"
            noValidate
            onSubmit={ed.submit}
            onKeyDown={ed.onKeyDown}
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
                onChange={ed.onMetaChange}
              />
              <TemplateCodeEditor
                label="System prompt"
                value={draft.system_prompt}
                onChange={ed.onSystemPromptChange}
                variables={ed.variables}
                minHeight="60px"
                maxHeight="200px"
                helperText={fe.system_prompt ?? 'Optional instructions sent as the system message.'}
                error={!!fe.system_prompt}
                onFocusView={ed.onFocusSystem}
              />
              <TemplateCodeEditor
                label="Template content"
                value={draft.content}
                onChange={ed.onContentChange}
                variables={ed.variables}
                helperText={fe.content}
                error={!!fe.content}
                onFocusView={ed.onFocusContent}
              />
              {ed.unknown.length > 0 && (
                <Alert severity="warning" role="alert">
                  Unknown variables: {ed.unknown.map((v) => `{{${v}}}`).join(', ')}. They are not built in and
                  render empty unless extraction produces a fact with that name.
                </Alert>
              )}
              {ed.serverWarnings.length > 0 && (
                <Alert severity="warning">
                  {ed.serverWarnings.map((w) => (
                    <div key={w}>{w}</div>
                  ))}
                </Alert>
              )}
              <ErrorAlert error={save.error} />
              {!edit.allowed && (
                <Alert severity="info" role="note">
                  Read only: {edit.reason}
                </Alert>
              )}
              <Stack direction="row" spacing={2} sx={{ alignItems: 'center' }}>
                <DisabledReason reason={edit.reason}>
                  <Button
                    type="submit"
                    variant="contained"
                    disabled={
                      !edit.allowed || save.isPending || (!dirty && !!template) || !draft.template_name.trim()
                    }
                    startIcon={save.isPending ? <CircularProgress size={16} color="inherit" /> : <SaveIcon />}
                  >
                    {template ? 'Save template' : 'Create template'}
                  </Button>
                </DisabledReason>
                {dirty && template && (
                  <Button onClick={ed.discard} disabled={save.isPending}>
                    Discard changes
                  </Button>
                )}
                <Box role="status" sx={{ color: 'text.secondary', fontSize: 14 }}>
                  {dirty ? 'Unsaved changes' : ed.savedAt ? 'Saved' : ''}
                </Box>
              </Stack>
            </Stack>
          </Paper>
          <TemplateTools
            businessId={businessId}
            template={template}
            draft={ed.toolsDraft}
            catalogue={ed.variables}
            onRestored={ed.onRestored}
          />
        </Grid>
        <Grid size={{ xs: 12, md: 4, xl: 3 }}>
          <Box sx={{ position: { md: 'sticky' }, top: { md: 80 } }}>
            <ErrorAlert error={ed.catalogue.error} />
            {ed.catalogue.isLoading ? (
              <Loading label="Loading variables" />
            ) : (
              <VariablePalette variables={ed.variables} used={ed.usedSet} onInsert={ed.onInsert} />
            )}
          </Box>
        </Grid>
      </Grid>
      <ConfirmDialog
        open={confirmDelete}
        title="Delete template?"
        message="A template that a stage still uses cannot be deleted: pick another template for that stage first."
        pending={ed.del.isPending}
        error={ed.del.error}
        onClose={() => {
          setConfirmDelete(false);
          ed.del.reset();
        }}
        onConfirm={ed.remove}
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
