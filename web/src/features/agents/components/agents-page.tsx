import AddIcon from '@mui/icons-material/Add';
import DeleteIcon from '@mui/icons-material/Delete';
import EditIcon from '@mui/icons-material/Edit';
import {
  Button,
  CircularProgress,
  Dialog,
  DialogActions,
  DialogContent,
  DialogTitle,
  IconButton,
  Link,
  TableCell,
  TableRow,
  TextField,
  Tooltip,
} from '@mui/material';
import { type FormEvent, useEffect, useState } from 'react';
import { Link as RouterLink } from 'react-router-dom';
import { ConfirmDialog } from '@/components/confirm-dialog';
import { DisabledReason } from '@/components/disabled-reason';
import { EmptyState } from '@/components/empty-state';
import { ErrorAlert } from '@/components/error-alert';
import { ListView } from '@/components/list-view';
import { PageHeader } from '@/components/page-header';
import { RequireBusiness } from '@/components/require-business';
import { useCreateAgent } from '@/lib/api/agents/create-agent';
import { useDeleteAgent } from '@/lib/api/agents/delete-agent';
import { useAgents } from '@/lib/api/agents/list-agents';
import { useUpdateAgent } from '@/lib/api/agents/update-agent';
import { fieldErrorsOf } from '@/lib/api/errors';
import type { Agent } from '@/lib/api/models';
import { useCan } from '@/lib/auth/permissions';
import { formatDateTime } from '@/lib/format';
import { paths } from '@/lib/paths';

export function AgentsPage() {
  return (
    <RequireBusiness>{(businessId) => <Agents key={businessId} businessId={businessId} />}</RequireBusiness>
  );
}

function Agents({ businessId }: { businessId: string }) {
  const agents = useAgents(businessId);
  const create = useCreateAgent(businessId);
  const update = useUpdateAgent(businessId);
  const del = useDeleteAgent(businessId);
  const edit = useCan('content.edit');
  const [editing, setEditing] = useState<Agent | 'new' | null>(null);
  const [toDelete, setToDelete] = useState<Agent | null>(null);
  const rows = agents.data?.agents ?? [];
  const mutation = editing === 'new' ? create : update;

  return (
    <>
      <PageHeader
        title="Agents"
        subtitle="Named groups of stages. Filter stages by agent, and give conversations to an agent."
        actions={
          <DisabledReason reason={edit.reason}>
            <Button
              variant="contained"
              startIcon={<AddIcon />}
              onClick={() => setEditing('new')}
              disabled={!edit.allowed}
            >
              Create agent
            </Button>
          </DisabledReason>
        }
      />
      <ListView
        query={agents}
        label="Agents"
        empty={
          rows.length === 0 && (
            <EmptyState
              title="No agents yet"
              description="Agents are optional. Create one to group stages, for example “Sales” and “Support”."
              action={
                <DisabledReason reason={edit.reason}>
                  <Button variant="contained" onClick={() => setEditing('new')} disabled={!edit.allowed}>
                    Create agent
                  </Button>
                </DisabledReason>
              }
            />
          )
        }
        head={
          <>
            <TableCell>Name</TableCell>
            <TableCell sx={{ display: { xs: 'none', sm: 'table-cell' } }}>Created</TableCell>
            <TableCell align="right">Actions</TableCell>
          </>
        }
      >
        {rows.map((a) => (
          <TableRow key={a.agent_id} hover>
            <TableCell>
              <Link component={RouterLink} to={paths.stages(a.agent_id)}>
                {a.agent_name}
              </Link>
            </TableCell>
            <TableCell sx={{ display: { xs: 'none', sm: 'table-cell' } }}>
              {formatDateTime(a.created_at)}
            </TableCell>
            <TableCell align="right">
              {edit.allowed && (
                <>
                  <Tooltip title="Rename">
                    <IconButton aria-label={`Rename ${a.agent_name}`} onClick={() => setEditing(a)}>
                      <EditIcon />
                    </IconButton>
                  </Tooltip>
                  <Tooltip title="Delete">
                    <IconButton aria-label={`Delete ${a.agent_name}`} onClick={() => setToDelete(a)}>
                      <DeleteIcon />
                    </IconButton>
                  </Tooltip>
                </>
              )}
            </TableCell>
          </TableRow>
        ))}
      </ListView>
      <AgentDialog
        open={editing !== null}
        agent={editing === 'new' ? null : editing}
        pending={mutation.isPending}
        error={mutation.error}
        onClose={() => {
          setEditing(null);
          create.reset();
          update.reset();
        }}
        onSubmit={(name) => {
          const done = { onSuccess: () => setEditing(null) };
          if (editing === 'new') create.mutate(name, done);
          else if (editing) update.mutate({ agentId: editing.agent_id, agentName: name }, done);
        }}
      />
      <ConfirmDialog
        open={!!toDelete}
        title="Delete agent?"
        message={`Stages of "${toDelete?.agent_name}" stay, without an agent.`}
        pending={del.isPending}
        error={del.error}
        onClose={() => {
          setToDelete(null);
          del.reset();
        }}
        onConfirm={() => toDelete && del.mutate(toDelete.agent_id, { onSuccess: () => setToDelete(null) })}
      />
    </>
  );
}

function AgentDialog({
  open,
  agent,
  pending,
  error,
  onClose,
  onSubmit,
}: {
  open: boolean;
  agent: Agent | null;
  pending: boolean;
  error: unknown;
  onClose: () => void;
  onSubmit: (name: string) => void;
}) {
  const [name, setName] = useState('');
  useEffect(() => {
    if (open) setName(agent?.agent_name ?? '');
  }, [open, agent]);
  const fe = fieldErrorsOf(error);
  function submit(e: FormEvent) {
    e.preventDefault();
    if (name.trim()) onSubmit(name.trim());
  }
  return (
    <Dialog open={open} onClose={onClose} maxWidth="xs" fullWidth aria-labelledby="agent-dialog-title">
      <form onSubmit={submit} noValidate>
        <DialogTitle id="agent-dialog-title">{agent ? 'Rename agent' : 'Create agent'}</DialogTitle>
        <DialogContent>
          <TextField
            autoFocus
            fullWidth
            required
            sx={{ mt: 1 }}
            label="Agent name"
            value={name}
            onChange={(e) => setName(e.target.value)}
            error={!!fe.agent_name}
            helperText={fe.agent_name}
          />
          {!fe.agent_name && <ErrorAlert error={error} />}
        </DialogContent>
        <DialogActions>
          <Button onClick={onClose}>Cancel</Button>
          <Button
            type="submit"
            variant="contained"
            disabled={pending || !name.trim()}
            startIcon={pending ? <CircularProgress size={16} color="inherit" /> : undefined}
          >
            {agent ? 'Save' : 'Create'}
          </Button>
        </DialogActions>
      </form>
    </Dialog>
  );
}
