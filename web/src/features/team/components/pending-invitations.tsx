import LinkOffIcon from '@mui/icons-material/LinkOff';
import {
  Box,
  Chip,
  Divider,
  IconButton,
  List,
  ListItem,
  Paper,
  Stack,
  Tooltip,
  Typography,
} from '@mui/material';
import { Fragment, useState } from 'react';
import { ConfirmDialog } from '@/components/confirm-dialog';
import { ErrorAlert } from '@/components/error-alert';
import { usePendingInvitations } from '@/lib/api/invitations/list-pending-invitations';
import { useRevokeInvitation } from '@/lib/api/invitations/revoke-invitation';
import type { PendingInvitation } from '@/lib/api/models';
import { ROLES } from '@/lib/auth/roles';
import { formatDateTime } from '@/lib/format';

const roleLabel = (role: string) => ROLES.find((r) => r.role === role)?.label ?? role;

/** Invitations still open (not accepted, revoked or expired); an owner may revoke one. */
export function PendingInvitations({ businessId }: { businessId: string }) {
  const pending = usePendingInvitations(businessId);
  const revoke = useRevokeInvitation(businessId);
  const [revoking, setRevoking] = useState<PendingInvitation | null>(null);

  if (pending.error) return <ErrorAlert error={pending.error} onRetry={() => pending.refetch()} />;
  const rows = pending.data?.invitations ?? [];
  if (rows.length === 0) return null;
  return (
    <Stack spacing={1}>
      <Typography variant="h6" component="h2">
        Pending invitations
      </Typography>
      <Paper>
        <List aria-label="Pending invitations" disablePadding>
          {rows.map((invitation, i) => (
            <Fragment key={invitation.invitation_id}>
              {i > 0 && <Divider component="li" />}
              <ListItem
                sx={{ flexWrap: 'wrap', gap: 1.5, py: 1.5 }}
                aria-label={`${invitation.email}, invited`}
              >
                <Box sx={{ flex: '1 1 200px', minWidth: 0 }}>
                  <Typography sx={{ fontWeight: 600 }} noWrap component="div">
                    {invitation.email}
                    <Chip label={roleLabel(invitation.role)} size="small" sx={{ ml: 1 }} />
                  </Typography>
                  <Typography variant="body2" color="text.secondary">
                    Invited {formatDateTime(invitation.created_at)} · link valid until{' '}
                    {formatDateTime(invitation.expires_at)}
                  </Typography>
                </Box>
                <Tooltip title="Revoke: the link stops working">
                  <IconButton
                    aria-label={`Revoke the invitation of ${invitation.email}`}
                    onClick={() => setRevoking(invitation)}
                  >
                    <LinkOffIcon />
                  </IconButton>
                </Tooltip>
              </ListItem>
            </Fragment>
          ))}
        </List>
      </Paper>
      <ConfirmDialog
        open={!!revoking}
        title="Revoke invitation?"
        message={revoking ? `The link sent to ${revoking.email} stops working at once.` : ''}
        confirmLabel="Revoke"
        pending={revoke.isPending}
        error={revoke.error}
        onClose={() => {
          revoke.reset();
          setRevoking(null);
        }}
        onConfirm={() =>
          revoking && revoke.mutate(revoking.invitation_id, { onSuccess: () => setRevoking(null) })
        }
      />
    </Stack>
  );
}
