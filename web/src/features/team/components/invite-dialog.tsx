import {
  Alert,
  Box,
  Button,
  Dialog,
  DialogActions,
  DialogContent,
  DialogTitle,
  MenuItem,
  Stack,
  TextField,
  Typography,
} from '@mui/material';
import { type FormEvent, useState } from 'react';
import { CopyButton } from '@/components/copy-button';
import { ErrorAlert } from '@/components/error-alert';
import { fieldErrorsOf } from '@/lib/api/errors';
import { useInviteMember } from '@/lib/api/members/invite-member';
import type { MemberRole } from '@/lib/api/models';
import { ROLES } from '@/lib/auth/roles';
import { monoFont } from '@/theme/theme';

/** Invite by e-mail with a role; the link is shown to copy (and mailed when the server has SMTP). */
export function InviteDialog({
  businessId,
  open,
  onClose,
}: {
  businessId: string;
  open: boolean;
  onClose: () => void;
}) {
  const invite = useInviteMember(businessId);
  const [email, setEmail] = useState('');
  const [role, setRole] = useState<MemberRole>('agent');

  function close() {
    invite.reset();
    setEmail('');
    setRole('agent');
    onClose();
  }

  function submit(e: FormEvent) {
    e.preventDefault();
    invite.mutate({ email: email.trim(), role });
  }

  const fe = fieldErrorsOf(invite.error);
  const link = invite.data?.invitation_url;
  return (
    <Dialog open={open} onClose={close} maxWidth="sm" fullWidth aria-labelledby="invite-title">
      <DialogTitle id="invite-title">Invite a member</DialogTitle>
      {link ? (
        <>
          <DialogContent>
            <Alert severity="success" sx={{ mb: 2 }}>
              Invitation made for {email.trim()}
              {invite.data?.mailed ? ' and sent by e-mail' : ''}. Send them this link; it works once, for 7
              days.
            </Alert>
            <Stack direction="row" spacing={1} sx={{ alignItems: 'center', flexWrap: 'wrap', gap: 1 }}>
              <Box
                component="code"
                aria-label="Invitation link"
                sx={{
                  fontFamily: monoFont,
                  wordBreak: 'break-all',
                  p: 1,
                  bgcolor: 'action.hover',
                  borderRadius: 1,
                  flex: 1,
                }}
              >
                {link}
              </Box>
              <CopyButton text={link} label="Copy link" />
            </Stack>
          </DialogContent>
          <DialogActions>
            <Button variant="contained" onClick={close}>
              Done
            </Button>
          </DialogActions>
        </>
      ) : (
        <Box component="form" onSubmit={submit} noValidate>
          <DialogContent>
            <Stack spacing={2}>
              <TextField
                label="E-mail"
                name="email"
                type="email"
                value={email}
                onChange={(e) => setEmail(e.target.value)}
                error={!!fe.email}
                helperText={fe.email}
                required
                fullWidth
                autoFocus
              />
              <TextField
                select
                label="Role"
                name="role"
                value={role}
                onChange={(e) => setRole(e.target.value as MemberRole)}
                error={!!fe.role}
                helperText={fe.role ?? ROLES.find((r) => r.role === role)?.description}
                fullWidth
              >
                {ROLES.map((r) => (
                  <MenuItem key={r.role} value={r.role}>
                    {r.label}
                  </MenuItem>
                ))}
              </TextField>
              <ErrorAlert error={invite.error} />
              <Typography variant="caption" color="text.secondary">
                The person chooses their own password when they accept.
              </Typography>
            </Stack>
          </DialogContent>
          <DialogActions>
            <Button onClick={close}>Cancel</Button>
            <Button type="submit" variant="contained" disabled={invite.isPending || !email.trim()}>
              Send invitation
            </Button>
          </DialogActions>
        </Box>
      )}
    </Dialog>
  );
}
