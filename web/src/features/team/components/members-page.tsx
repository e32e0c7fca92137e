import DeleteOutlinedIcon from '@mui/icons-material/DeleteOutlined';
import PersonAddIcon from '@mui/icons-material/PersonAdd';
import {
  Box,
  Button,
  Chip,
  Divider,
  IconButton,
  List,
  ListItem,
  MenuItem,
  Paper,
  Stack,
  TextField,
  Tooltip,
  Typography,
} from '@mui/material';
import { Fragment, useState } from 'react';
import { ConfirmDialog } from '@/components/confirm-dialog';
import { DisabledReason } from '@/components/disabled-reason';
import { EmptyState } from '@/components/empty-state';
import { ErrorAlert } from '@/components/error-alert';
import { Loading } from '@/components/loading';
import { PageHeader } from '@/components/page-header';
import { RequireBusiness } from '@/components/require-business';
import { useMembers } from '@/lib/api/members/list-members';
import { useRemoveMember } from '@/lib/api/members/remove-member';
import { useUpdateMemberRole } from '@/lib/api/members/update-member-role';
import type { Member, MemberRole } from '@/lib/api/models';
import { useCan } from '@/lib/auth/permissions';
import { ROLES } from '@/lib/auth/roles';
import { useSession } from '@/lib/auth/session';
import { InviteDialog } from './invite-dialog';
import { PendingInvitations } from './pending-invitations';

export function MembersPage() {
  const manage = useCan('members.manage');
  const [inviting, setInviting] = useState(false);
  return (
    <>
      <PageHeader
        title="Members"
        subtitle="The people who work on this business, and what their role lets them do."
        actions={
          <DisabledReason reason={manage.reason}>
            <Button
              variant="contained"
              startIcon={<PersonAddIcon />}
              onClick={() => setInviting(true)}
              disabled={!manage.allowed}
            >
              Invite member
            </Button>
          </DisabledReason>
        }
      />
      <RequireBusiness>
        {(businessId) =>
          manage.allowed ? (
            <Stack spacing={3}>
              <MemberList businessId={businessId} />
              <PendingInvitations businessId={businessId} />
              <InviteDialog businessId={businessId} open={inviting} onClose={() => setInviting(false)} />
            </Stack>
          ) : (
            <EmptyState title="Members are managed by owners" description={manage.reason} />
          )
        }
      </RequireBusiness>
    </>
  );
}

function MemberList({ businessId }: { businessId: string }) {
  const members = useMembers(businessId);
  const { user } = useSession();
  const updateRole = useUpdateMemberRole(businessId);
  const remove = useRemoveMember(businessId);
  const [removing, setRemoving] = useState<Member | null>(null);

  if (members.isLoading) return <Loading />;
  if (members.error) return <ErrorAlert error={members.error} onRetry={() => members.refetch()} />;
  const rows = members.data?.members ?? [];
  if (rows.length === 0)
    return (
      <EmptyState
        title="No members yet"
        description="Invite the people who work on this business; each chooses a password when they accept."
      />
    );
  return (
    <Stack spacing={2}>
      <ErrorAlert error={updateRole.error} />
      <Paper>
        <List aria-label="Members" disablePadding>
          {rows.map((m, i) => (
            <Fragment key={m.member_id}>
              {i > 0 && <Divider component="li" />}
              <ListItem
                sx={{ flexWrap: 'wrap', gap: 1.5, py: 1.5 }}
                aria-label={`${m.name || m.email}, ${m.role}`}
              >
                <Box sx={{ flex: '1 1 200px', minWidth: 0 }}>
                  <Typography sx={{ fontWeight: 600 }} noWrap component="div">
                    {m.name || m.email}
                    {user?.id === m.account_id && <Chip label="you" size="small" sx={{ ml: 1 }} />}
                  </Typography>
                  <Typography variant="body2" color="text.secondary" noWrap>
                    {m.email}
                  </Typography>
                </Box>
                <TextField
                  select
                  label="Role"
                  value={m.role}
                  onChange={(e) =>
                    updateRole.mutate({ memberId: m.member_id, role: e.target.value as MemberRole })
                  }
                  disabled={updateRole.isPending}
                  sx={{ width: 140 }}
                >
                  {ROLES.map((r) => (
                    <MenuItem key={r.role} value={r.role}>
                      {r.label}
                    </MenuItem>
                  ))}
                </TextField>
                <Tooltip title="Remove from this business">
                  <IconButton aria-label={`Remove ${m.name || m.email}`} onClick={() => setRemoving(m)}>
                    <DeleteOutlinedIcon />
                  </IconButton>
                </Tooltip>
              </ListItem>
            </Fragment>
          ))}
        </List>
      </Paper>
      <ConfirmDialog
        open={!!removing}
        title="Remove member?"
        message={
          removing
            ? `${removing.name || removing.email} loses access to this business at once. Their account stays.`
            : ''
        }
        confirmLabel="Remove"
        pending={remove.isPending}
        error={remove.error}
        onClose={() => {
          remove.reset();
          setRemoving(null);
        }}
        onConfirm={() =>
          removing && remove.mutate(removing.member_id, { onSuccess: () => setRemoving(null) })
        }
      />
    </Stack>
  );
}
