import {
  Autocomplete,
  Button,
  Checkbox,
  CircularProgress,
  FormControlLabel,
  Grid,
  MenuItem,
  Paper,
  Stack,
  TextField,
  Typography,
} from '@mui/material';
import { type FormEvent, useState } from 'react';
import { useNavigate, useParams, useSearchParams } from 'react-router-dom';
import { DisabledReason } from '@/components/disabled-reason';
import { ErrorAlert } from '@/components/error-alert';
import { Loading } from '@/components/loading';
import { PageHeader } from '@/components/page-header';
import { RequireBusiness } from '@/components/require-business';
import { useAgents } from '@/lib/api/agents/list-agents';
import { ApiError, fieldErrorsOf } from '@/lib/api/errors';
import { useFields } from '@/lib/api/fields/fields';
import type { Stage } from '@/lib/api/models';
import { useStage } from '@/lib/api/stages/get-stage';
import { type StageInput, useSaveStage } from '@/lib/api/stages/save-stage';
import { useTemplates } from '@/lib/api/templates/list-templates';
import { createTemplate } from '@/lib/api/templates/save-template';
import { useCan } from '@/lib/auth/permissions';
import { paths } from '@/lib/paths';
import type { TemplateRole } from '@/lib/template-types';
import { TemplatePicker } from './template-picker';

const ROLES: { role: TemplateRole; field: keyof StageInput; short: string }[] = [
  { role: 'stage_selection', field: 'stage_selection_template_id', short: 'selection' },
  { role: 'data_extraction', field: 'data_extraction_template_id', short: 'extraction' },
  { role: 'response_generation', field: 'response_generation_template_id', short: 'response' },
];

export const STAGE_TYPE_SUGGESTIONS = [
  'conversation',
  'information',
  'qualification',
  'booking',
  'support',
  'handoff',
];

export function StageCreatePage() {
  const [params] = useSearchParams();
  return (
    <RequireBusiness>
      {(businessId) => (
        <StageEditor
          key={businessId}
          businessId={businessId}
          initial={{
            stage_name: '',
            stage_description: '',
            stage_type: 'conversation',
            agent_id: params.get('agent') || null,
            stage_selection_template_id: '',
            data_extraction_template_id: '',
            response_generation_template_id: '',
            fallback_reply: '',
          }}
        />
      )}
    </RequireBusiness>
  );
}

export function StageEditPage() {
  const { stageId } = useParams();
  return (
    <RequireBusiness>
      {(businessId) => (
        <LoadStage key={`${businessId}/${stageId}`} businessId={businessId} stageId={stageId as string} />
      )}
    </RequireBusiness>
  );
}

function LoadStage({ businessId, stageId }: { businessId: string; stageId: string }) {
  const stage = useStage(businessId, stageId);
  if (stage.isLoading) return <Loading />;
  if (stage.error || !stage.data)
    return (
      <>
        <PageHeader title="Edit stage" />
        <ErrorAlert error={stage.error ?? new Error('Stage not found.')} onRetry={() => stage.refetch()} />
      </>
    );
  return <StageEditor businessId={businessId} stage={stage.data} initial={toInput(stage.data)} />;
}

function toInput(s: Stage): StageInput {
  return {
    stage_name: s.stage_name,
    stage_description: s.stage_description ?? '',
    stage_type: s.stage_type ?? '',
    agent_id: s.agent_id ?? null,
    stage_selection_template_id: s.stage_selection_template_id,
    data_extraction_template_id: s.data_extraction_template_id,
    response_generation_template_id: s.response_generation_template_id,
    fallback_reply: s.fallback_reply ?? '',
    handoff: s.handoff,
    required_fields: s.required_fields,
    optional_fields: s.optional_fields,
  };
}

export function StageEditor({
  businessId,
  stage,
  initial,
}: {
  businessId: string;
  stage?: Stage;
  initial: StageInput;
}) {
  const navigate = useNavigate();
  const agents = useAgents(businessId);
  const templates = useTemplates(businessId);
  const fields = useFields(businessId);
  const save = useSaveStage(businessId, stage?.stage_id);
  const [values, setValues] = useState<StageInput>(initial);
  const [creatingRole, setCreatingRole] = useState<TemplateRole | null>(null);
  const [createError, setCreateError] = useState<unknown>(null);
  const fe = fieldErrorsOf(save.error);
  const edit = useCan('content.edit');

  function submit(e: FormEvent) {
    e.preventDefault();
    save.mutate(values, { onSuccess: (s) => navigate(paths.stage(s.stage_id)) });
  }

  async function createFromDefault(role: TemplateRole, field: keyof StageInput, short: string) {
    const all = templates.data?.templates ?? [];
    const defaults = all.filter((t) => t.template_type === `default_${role}`);
    const source = defaults.find((t) => t.is_default) ?? defaults[0];
    if (!source) {
      setCreateError(
        new ApiError(404, 'NOT_FOUND', `This business has no default ${short} template to copy.`),
      );
      return;
    }
    setCreatingRole(role);
    setCreateError(null);
    try {
      const created = await createTemplate(businessId, {
        template_name: `${values.stage_name.trim() || 'New stage'} – ${short}`,
        template_type: role,
        content: source.content,
        system_prompt: source.system_prompt ?? '',
        is_default: false,
      });
      await templates.refetch();
      setValues((v) => ({ ...v, [field]: created.template_id }));
    } catch (err) {
      setCreateError(err);
    } finally {
      setCreatingRole(null);
    }
  }

  return (
    <>
      <PageHeader
        title={stage ? `Edit stage: ${stage.stage_name}` : 'New stage'}
        subtitle="A stage handles one part of the conversation with its own three templates."
      />
      <Paper component="form" onSubmit={submit} noValidate sx={{ p: { xs: 2, sm: 3 } }} aria-label="Stage">
        <Grid container spacing={2}>
          <Grid size={{ xs: 12, md: 6 }}>
            <TextField
              label="Stage name"
              required
              fullWidth
              autoFocus={!stage}
              value={values.stage_name}
              onChange={(e) => setValues({ ...values, stage_name: e.target.value })}
              error={!!fe.stage_name}
              helperText={fe.stage_name ?? 'The model picks stages by name and description.'}
            />
          </Grid>
          <Grid size={{ xs: 12, sm: 6, md: 3 }}>
            <TextField
              label="Stage type"
              fullWidth
              value={values.stage_type}
              onChange={(e) => setValues({ ...values, stage_type: e.target.value })}
              error={!!fe.stage_type}
              helperText={fe.stage_type ?? 'For example conversation, booking, handoff.'}
              slotProps={{ htmlInput: { list: 'stage-type-suggestions' } }}
            />
            <datalist id="stage-type-suggestions">
              {STAGE_TYPE_SUGGESTIONS.map((s) => (
                <option key={s} value={s} />
              ))}
            </datalist>
          </Grid>
          <Grid size={{ xs: 12, sm: 6, md: 3 }}>
            <TextField
              select
              label="Agent"
              fullWidth
              value={values.agent_id ?? ''}
              onChange={(e) => setValues({ ...values, agent_id: e.target.value || null })}
              error={!!fe.agent_id}
              helperText={fe.agent_id}
              slotProps={{ select: { displayEmpty: true }, inputLabel: { shrink: true } }}
            >
              <MenuItem value="">
                <em>No agent</em>
              </MenuItem>
              {(agents.data?.agents ?? []).map((a) => (
                <MenuItem key={a.agent_id} value={a.agent_id}>
                  {a.agent_name}
                </MenuItem>
              ))}
            </TextField>
          </Grid>
          <Grid size={12}>
            <TextField
              label="Stage description"
              fullWidth
              multiline
              minRows={2}
              value={values.stage_description}
              onChange={(e) => setValues({ ...values, stage_description: e.target.value })}
              error={!!fe.stage_description}
              helperText={fe.stage_description ?? 'When should a conversation be in this stage?'}
            />
          </Grid>
          <Grid size={12}>
            <TextField
              label="Stage fallback reply"
              fullWidth
              multiline
              minRows={1}
              value={values.fallback_reply ?? ''}
              onChange={(e) => setValues({ ...values, fallback_reply: e.target.value })}
              error={!!fe.fallback_reply}
              helperText={
                fe.fallback_reply ??
                'Optional. What the offline engine answers in this stage; empty uses the business’s fallback reply.'
              }
            />
          </Grid>
          <Grid size={12}>
            <FormControlLabel
              control={
                <Checkbox
                  checked={!!values.handoff}
                  onChange={(e) => setValues({ ...values, handoff: e.target.checked })}
                />
              }
              label="Hand off to the team: after its reply in this stage, the AI pauses and the conversation waits for a person"
            />
          </Grid>
        </Grid>
        <Typography variant="h2" component="h2" sx={{ mt: 3, mb: 1 }}>
          Goal
        </Typography>
        <ErrorAlert error={fields.error} onRetry={() => fields.refetch()} />
        <Grid container spacing={2}>
          {(
            [
              [
                'required_fields',
                'Required fields',
                'The stage is complete when all are collected; {{missing_fields}} lists the ones still missing.',
              ],
              [
                'optional_fields',
                'Optional fields',
                'Also extracted in this stage when the customer gives them.',
              ],
            ] as const
          ).map(([key, label, help]) => {
            const other = key === 'required_fields' ? 'optional_fields' : 'required_fields';
            const all = fields.data?.fields ?? [];
            return (
              <Grid key={key} size={{ xs: 12, md: 6 }}>
                <Autocomplete
                  multiple
                  options={all.filter((f) => !(values[other] ?? []).includes(f.name)).map((f) => f.name)}
                  getOptionLabel={(name) => {
                    const f = all.find((x) => x.name === name);
                    return f ? `${f.label} (${name})` : name;
                  }}
                  value={values[key] ?? []}
                  onChange={(_e, names) => setValues((v) => ({ ...v, [key]: names }))}
                  loading={fields.isLoading}
                  renderInput={(params) => (
                    <TextField
                      {...params}
                      label={label}
                      error={!!fe[key]}
                      helperText={
                        fe[key] ?? (all.length ? help : 'No fields yet: add them on the Fields page.')
                      }
                    />
                  )}
                />
              </Grid>
            );
          })}
        </Grid>
        <Typography variant="h2" component="h2" sx={{ mt: 3, mb: 1 }}>
          Templates
        </Typography>
        <ErrorAlert error={templates.error} onRetry={() => templates.refetch()} />
        <ErrorAlert error={createError} title="Could not create the template" />
        {templates.isLoading ? (
          <Loading label="Loading templates" />
        ) : (
          <Grid container spacing={2}>
            {ROLES.map(({ role, field, short }) => (
              <Grid key={role} size={{ xs: 12, lg: 4 }}>
                <TemplatePicker
                  role={role}
                  templates={templates.data?.templates ?? []}
                  value={(values[field] as string) ?? ''}
                  onChange={(id) => setValues((v) => ({ ...v, [field]: id }))}
                  onCreateFromDefault={() => createFromDefault(role, field, short)}
                  creating={creatingRole === role}
                  error={fe[field]}
                  allowFreshCopy={!stage}
                />
              </Grid>
            ))}
          </Grid>
        )}
        <ErrorAlert error={save.error} />
        <Stack direction="row" spacing={1.5} sx={{ mt: 2 }}>
          <DisabledReason reason={edit.reason}>
            <Button
              type="submit"
              variant="contained"
              disabled={!edit.allowed || save.isPending || !values.stage_name.trim()}
              startIcon={save.isPending ? <CircularProgress size={16} color="inherit" /> : undefined}
            >
              {stage ? 'Save stage' : 'Create stage'}
            </Button>
          </DisabledReason>
          <Button onClick={() => navigate(stage ? paths.stage(stage.stage_id) : paths.stages())}>
            Cancel
          </Button>
        </Stack>
      </Paper>
    </>
  );
}
