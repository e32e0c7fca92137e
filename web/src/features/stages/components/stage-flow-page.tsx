import {
  Button,
  ButtonGroup,
  FormControlLabel,
  Stack,
  Switch,
  Typography,
  useMediaQuery,
} from '@mui/material';
import { useTheme } from '@mui/material/styles';
import { useMemo, useState } from 'react';
import { Link as RouterLink } from 'react-router-dom';
import { EmptyState } from '@/components/empty-state';
import { ErrorAlert } from '@/components/error-alert';
import { Loading } from '@/components/loading';
import { PageHeader } from '@/components/page-header';
import { RequireBusiness } from '@/components/require-business';
import { useBusiness } from '@/lib/api/businesses/get-business';
import { useFields } from '@/lib/api/fields/fields';
import type { Stage } from '@/lib/api/models';
import { useStageTransitions } from '@/lib/api/stages/get-stage-transitions';
import { useStages } from '@/lib/api/stages/list-stages';
import { useCan } from '@/lib/auth/permissions';
import { paths } from '@/lib/paths';
import { ConnectionDialog, type ConnectionKind } from './connection-dialog';
import { FlowCanvas } from './flow-canvas';
import { FlowList } from './flow-list';
import { buildFlowModel } from './flow-model';
import { useFlowActions } from './use-flow-actions';

export function StageFlowPage() {
  return (
    <RequireBusiness>
      {(businessId) => <StageFlow key={businessId} businessId={businessId} />}
    </RequireBusiness>
  );
}

type View = 'diagram' | 'list';

function StageFlow({ businessId }: { businessId: string }) {
  const theme = useTheme();
  const narrow = useMediaQuery(theme.breakpoints.down('md'), { noSsr: true });
  const [chosenView, setView] = useState<View | null>(null);
  const view: View = chosenView ?? (narrow ? 'list' : 'diagram');
  const [showTraffic, setShowTraffic] = useState(true);
  const [dialog, setDialog] = useState<{ source: Stage; target?: string; kind: ConnectionKind } | null>(null);
  const edit = useCan('content.edit');

  const stages = useStages(businessId);
  const transitions = useStageTransitions(businessId);
  const business = useBusiness(businessId);
  const fields = useFields(businessId);
  const stageList = useMemo(() => stages.data?.stages ?? [], [stages.data]);
  const actions = useFlowActions(businessId, stageList);
  const model = useMemo(() => {
    const labels = new Map((fields.data?.fields ?? []).map((f) => [f.name, f.label || f.name]));
    return buildFlowModel(
      stageList,
      transitions.data?.transitions ?? [],
      business.data?.first_stage_id ?? null,
      (name) => labels.get(name) ?? name,
    );
  }, [stageList, transitions.data, business.data?.first_stage_id, fields.data]);
  const loading = stages.isLoading || transitions.isLoading;

  const open = (source: Stage, kind: ConnectionKind, target?: string) => {
    actions.reset();
    setDialog({ source, kind, target });
  };
  const shared = {
    model,
    stages: stageList,
    showTraffic,
    editable: edit.allowed,
    editReason: edit.reason,
    actions,
  };
  return (
    <>
      <PageHeader
        title="Stage flow"
        subtitle={
          edit.allowed
            ? 'Stages, the moves allowed between them and the rules that move a conversation without asking the model. Draw from a stage’s right handle to another stage to connect them; select a connection to delete it. Numbers count moves seen in conversations.'
            : 'Stages, the moves allowed between them and the rules that move a conversation without asking the model. Numbers count moves seen in conversations.'
        }
        actions={
          <Stack direction="row" spacing={1} sx={{ alignItems: 'center', flexWrap: 'wrap' }}>
            <ButtonGroup size="small" aria-label="View">
              {(['diagram', 'list'] as const).map((v) => (
                <Button
                  key={v}
                  aria-pressed={view === v}
                  variant={view === v ? 'contained' : 'outlined'}
                  onClick={() => setView(v)}
                >
                  {v === 'diagram' ? 'Diagram' : 'List'}
                </Button>
              ))}
            </ButtonGroup>
            <FormControlLabel
              control={<Switch checked={showTraffic} onChange={(e) => setShowTraffic(e.target.checked)} />}
              label="Traffic"
            />
            <Button component={RouterLink} to={paths.stages()}>
              Back to stages
            </Button>
          </Stack>
        }
      />
      <ErrorAlert error={stages.error} onRetry={() => stages.refetch()} />
      <ErrorAlert
        error={transitions.error}
        title="Transition counts unavailable"
        onRetry={() => transitions.refetch()}
      />
      {!dialog && <ErrorAlert error={actions.error} title="The change was not saved" />}
      {loading ? (
        <Loading />
      ) : stageList.length === 0 ? (
        <EmptyState
          title="No stages yet"
          description="Create stages first; then connect them here with allowed transitions and rules."
        />
      ) : (
        <>
          {view === 'diagram' ? (
            <FlowCanvas {...shared} onConnect={(source, target) => open(source, 'allowed', target)} />
          ) : (
            <FlowList {...shared} onAdd={(source, kind) => open(source, kind)} />
          )}
          {showTraffic && (transitions.data?.transitions ?? []).length === 0 && !transitions.error && (
            <Typography color="text.secondary" sx={{ mt: 1 }}>
              No moves recorded yet. Chat in the Simulator to see conversations move between stages.
            </Typography>
          )}
        </>
      )}
      {dialog && (
        <ConnectionDialog
          source={dialog.source}
          target={dialog.target}
          initialKind={dialog.kind}
          stages={stageList}
          fields={fields.data?.fields ?? []}
          pending={actions.pending}
          error={actions.error}
          onClose={() => setDialog(null)}
          onSubmit={(choice) => actions.connect(dialog.source, choice, () => setDialog(null))}
        />
      )}
    </>
  );
}
