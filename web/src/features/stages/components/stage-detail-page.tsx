import DeleteIcon from '@mui/icons-material/Delete';
import EditIcon from '@mui/icons-material/Edit';
import FlagIcon from '@mui/icons-material/Flag';
import { Box, Button, Chip, Grid, Link, Paper, Stack, Tab, Tabs, Typography } from '@mui/material';
import { useState } from 'react';
import { Link as RouterLink, useNavigate, useParams, useSearchParams } from 'react-router-dom';
import { CodeBlock } from '@/components/code-block';
import { ConfirmDialog } from '@/components/confirm-dialog';
import { DisabledReason } from '@/components/disabled-reason';
import { ErrorAlert } from '@/components/error-alert';
import { Loading } from '@/components/loading';
import { PageHeader } from '@/components/page-header';
import { RequireBusiness } from '@/components/require-business';
import { useAgents } from '@/lib/api/agents/list-agents';
import { useBusiness } from '@/lib/api/businesses/get-business';
import { useUpdateBusiness } from '@/lib/api/businesses/update-business';
import { useDeleteStage } from '@/lib/api/stages/delete-stage';
import { useStage } from '@/lib/api/stages/get-stage';
import { useTemplates } from '@/lib/api/templates/list-templates';
import { useCan } from '@/lib/auth/permissions';
import { paths } from '@/lib/paths';
import type { TemplateRole } from '@/lib/template-types';
import { StageTests } from './stage-tests';
import { ROLE_LABELS } from './template-picker';

export function StageDetailPage() {
  const { stageId } = useParams();
  return (
    <RequireBusiness>
      {(businessId) => (
        <StageDetail key={`${businessId}/${stageId}`} businessId={businessId} stageId={stageId as string} />
      )}
    </RequireBusiness>
  );
}

function StageDetail({ businessId, stageId }: { businessId: string; stageId: string }) {
  const navigate = useNavigate();
  const stage = useStage(businessId, stageId);
  const templates = useTemplates(businessId);
  const agents = useAgents(businessId);
  const business = useBusiness(businessId);
  const setEntry = useUpdateBusiness(businessId);
  const del = useDeleteStage(businessId);
  const [confirm, setConfirm] = useState(false);
  // `?tab=tests&run=<id>` (the Releases page links a run this way) opens the Tests tab on that run.
  const [search] = useSearchParams();
  const [tab, setTab] = useState<'overview' | 'tests'>(search.get('tab') === 'tests' ? 'tests' : 'overview');
  const edit = useCan('content.edit');

  if (stage.isLoading) return <Loading />;
  if (stage.error || !stage.data)
    return (
      <>
        <PageHeader title="Stage" />
        <ErrorAlert error={stage.error ?? new Error('Stage not found.')} onRetry={() => stage.refetch()} />
      </>
    );
  const s = stage.data;
  const isEntry = business.data?.first_stage_id === s.stage_id;
  const byId = new Map((templates.data?.templates ?? []).map((t) => [t.template_id, t]));
  const agent = (agents.data?.agents ?? []).find((a) => a.agent_id === s.agent_id);
  const roles: [TemplateRole, string][] = [
    ['stage_selection', s.stage_selection_template_id],
    ['data_extraction', s.data_extraction_template_id],
    ['response_generation', s.response_generation_template_id],
  ];

  return (
    <>
      <PageHeader
        title={s.stage_name}
        documentTitle={`Stage: ${s.stage_name}`}
        subtitle={
          <Box
            component="span"
            sx={{ display: 'inline-flex', gap: 1, alignItems: 'center', flexWrap: 'wrap' }}
          >
            {isEntry && <Chip size="small" color="primary" label="entry stage" />}
            {s.stage_type && <Chip size="small" variant="outlined" label={s.stage_type} />}
            <span>Agent: {agent?.agent_name ?? 'none'}</span>
          </Box>
        }
        actions={
          <>
            {!isEntry && edit.allowed && (
              <Button
                startIcon={<FlagIcon />}
                disabled={setEntry.isPending}
                onClick={() => setEntry.mutate({ first_stage_id: s.stage_id })}
              >
                Make entry stage
              </Button>
            )}
            <DisabledReason reason={edit.reason}>
              <Button
                component={RouterLink}
                to={paths.stageEdit(s.stage_id)}
                variant="contained"
                startIcon={<EditIcon />}
                disabled={!edit.allowed}
              >
                Edit stage
              </Button>
            </DisabledReason>
            {edit.allowed && (
              <Button color="error" startIcon={<DeleteIcon />} onClick={() => setConfirm(true)}>
                Delete
              </Button>
            )}
          </>
        }
      />
      <ErrorAlert error={setEntry.error} />
      <Tabs value={tab} onChange={(_, v) => setTab(v)} sx={{ mb: 2 }} aria-label="Stage sections">
        <Tab value="overview" label="Overview" />
        <Tab value="tests" label="Tests" />
      </Tabs>
      {tab === 'tests' && (
        <StageTests businessId={businessId} stageId={s.stage_id} initialRunId={search.get('run')} />
      )}
      {tab === 'overview' && (
        <>
          <Paper sx={{ p: 2, mb: 2 }}>
            <Typography variant="subtitle2" gutterBottom>
              Description
            </Typography>
            <Typography variant="body2" color={s.stage_description ? 'text.primary' : 'text.secondary'}>
              {s.stage_description ||
                'No description. The model uses it to decide when this stage applies — add one.'}
            </Typography>
          </Paper>
          <Grid container spacing={2}>
            {roles.map(([role, id]) => {
              const t = byId.get(id);
              return (
                <Grid key={role} size={{ xs: 12, lg: 4 }}>
                  <Paper sx={{ p: 2, height: '100%' }}>
                    <Stack spacing={1}>
                      <Typography variant="subtitle2">{ROLE_LABELS[role]}</Typography>
                      {t ? (
                        <>
                          <Link
                            component={RouterLink}
                            to={paths.template(t.template_id)}
                            sx={{ fontWeight: 600 }}
                          >
                            {t.template_name}
                          </Link>
                          <CodeBlock label={`${ROLE_LABELS[role]} content`} maxHeight={260}>
                            {t.content || '(empty)'}
                          </CodeBlock>
                        </>
                      ) : templates.isLoading ? (
                        <Loading label="Loading template" />
                      ) : (
                        <Typography variant="body2" color="text.secondary">
                          Template not found.
                        </Typography>
                      )}
                    </Stack>
                  </Paper>
                </Grid>
              );
            })}
          </Grid>
        </>
      )}
      <ConfirmDialog
        open={confirm}
        title="Delete stage?"
        message={`Conversations in "${s.stage_name}" continue from the entry stage. The entry stage and the last stage cannot be deleted.`}
        pending={del.isPending}
        error={del.error}
        onClose={() => {
          setConfirm(false);
          del.reset();
        }}
        onConfirm={() =>
          del.mutate(s.stage_id, { onSuccess: () => navigate(paths.stages(), { replace: true }) })
        }
      />
    </>
  );
}
