import AccountTreeIcon from '@mui/icons-material/AccountTree';
import AddIcon from '@mui/icons-material/Add';
import {
  Button,
  Chip,
  Link,
  MenuItem,
  Stack,
  TableCell,
  TableRow,
  TextField,
  Typography,
} from '@mui/material';
import { Link as RouterLink, useSearchParams } from 'react-router-dom';
import { DisabledReason } from '@/components/disabled-reason';
import { EmptyState } from '@/components/empty-state';
import { ListView } from '@/components/list-view';
import { PageHeader } from '@/components/page-header';
import { RequireBusiness } from '@/components/require-business';
import { useAgents } from '@/lib/api/agents/list-agents';
import { useBusiness } from '@/lib/api/businesses/get-business';
import { useStages } from '@/lib/api/stages/list-stages';
import { useTemplates } from '@/lib/api/templates/list-templates';
import { useCan } from '@/lib/auth/permissions';
import { paths } from '@/lib/paths';

export function StagesPage() {
  return (
    <RequireBusiness>{(businessId) => <Stages key={businessId} businessId={businessId} />}</RequireBusiness>
  );
}

function Stages({ businessId }: { businessId: string }) {
  const [params, setParams] = useSearchParams();
  const agentId = params.get('agent') ?? '';
  const stages = useStages(businessId, agentId || null);
  const agents = useAgents(businessId);
  const templates = useTemplates(businessId);
  const business = useBusiness(businessId);
  const edit = useCan('content.edit');
  const templateName = new Map(
    (templates.data?.templates ?? []).map((t) => [t.template_id, t.template_name]),
  );
  const agentName = new Map((agents.data?.agents ?? []).map((a) => [a.agent_id, a.agent_name]));
  const rows = stages.data?.stages ?? [];
  const tpl = (id: string, name?: string | null) =>
    (name ?? templateName.get(id)) ? (
      <Link component={RouterLink} to={paths.template(id)}>
        {name ?? templateName.get(id)}
      </Link>
    ) : (
      <Typography variant="body2" color="text.secondary" component="span">
        —
      </Typography>
    );

  return (
    <>
      <PageHeader
        title="Stages"
        subtitle="Each message is routed to one stage, whose templates extract facts and write the reply."
        actions={
          <>
            <Button component={RouterLink} to={paths.stageFlow()} startIcon={<AccountTreeIcon />}>
              Flow view
            </Button>
            <DisabledReason reason={edit.reason}>
              <Button
                component={RouterLink}
                to={paths.stageNew(agentId)}
                variant="contained"
                startIcon={<AddIcon />}
                disabled={!edit.allowed}
              >
                New stage
              </Button>
            </DisabledReason>
          </>
        }
      />
      <Stack direction="row" spacing={1.5} sx={{ mb: 2 }}>
        <TextField
          select
          label="Agent"
          value={agentId}
          onChange={(e) => setParams(e.target.value ? { agent: e.target.value } : {}, { replace: true })}
          sx={{ minWidth: 220 }}
          slotProps={{ select: { displayEmpty: true }, inputLabel: { shrink: true } }}
        >
          <MenuItem value="">All agents</MenuItem>
          {(agents.data?.agents ?? []).map((a) => (
            <MenuItem key={a.agent_id} value={a.agent_id}>
              {a.agent_name}
            </MenuItem>
          ))}
        </TextField>
      </Stack>
      <ListView
        query={stages}
        label="Stages"
        empty={
          rows.length === 0 && (
            <EmptyState
              title={agentId ? 'This agent has no stages' : 'No stages yet'}
              description={
                agentId
                  ? 'Create a stage for this agent, or show all agents.'
                  : 'Create a stage to route conversations.'
              }
              action={
                edit.allowed ? (
                  <Button component={RouterLink} to={paths.stageNew(agentId)} variant="contained">
                    New stage
                  </Button>
                ) : undefined
              }
            />
          )
        }
        head={
          <>
            <TableCell>Stage</TableCell>
            <TableCell sx={{ display: { xs: 'none', md: 'table-cell' } }}>Agent</TableCell>
            <TableCell sx={{ display: { xs: 'none', sm: 'table-cell' } }}>Selection</TableCell>
            <TableCell sx={{ display: { xs: 'none', sm: 'table-cell' } }}>Extraction</TableCell>
            <TableCell sx={{ display: { xs: 'none', sm: 'table-cell' } }}>Response</TableCell>
          </>
        }
      >
        {rows.map((s) => (
          <TableRow key={s.stage_id} hover>
            <TableCell>
              <Link component={RouterLink} to={paths.stage(s.stage_id)} sx={{ fontWeight: 600 }}>
                {s.stage_name}
              </Link>
              {business.data?.first_stage_id === s.stage_id && (
                <Chip size="small" color="primary" label="entry" sx={{ ml: 1 }} />
              )}
              {s.stage_type && <Chip size="small" variant="outlined" label={s.stage_type} sx={{ ml: 1 }} />}
              {s.stage_description && (
                <Typography
                  variant="body2"
                  color="text.secondary"
                  sx={{ maxWidth: 420 }}
                  noWrap
                  title={s.stage_description}
                >
                  {s.stage_description}
                </Typography>
              )}
            </TableCell>
            <TableCell sx={{ display: { xs: 'none', md: 'table-cell' } }}>
              {s.agent_id ? (agentName.get(s.agent_id) ?? '—') : '—'}
            </TableCell>
            <TableCell sx={{ display: { xs: 'none', sm: 'table-cell' } }}>
              {tpl(s.stage_selection_template_id, s.stage_selection_template_name)}
            </TableCell>
            <TableCell sx={{ display: { xs: 'none', sm: 'table-cell' } }}>
              {tpl(s.data_extraction_template_id, s.data_extraction_template_name)}
            </TableCell>
            <TableCell sx={{ display: { xs: 'none', sm: 'table-cell' } }}>
              {tpl(s.response_generation_template_id, s.response_generation_template_name)}
            </TableCell>
          </TableRow>
        ))}
      </ListView>
    </>
  );
}
