import { Box, Button, Chip, Divider, List, ListItem, Paper, Stack, Typography } from '@mui/material';
import { Fragment } from 'react';
import { ErrorAlert } from '@/components/error-alert';
import { Loading } from '@/components/loading';
import { useAuthSessions } from '@/lib/api/auth/list-sessions';
import { useRevokeOtherSessions } from '@/lib/api/auth/revoke-other-sessions';
import { useRevokeSession } from '@/lib/api/auth/revoke-session';
import { formatDateTime } from '@/lib/format';

/** The account's sessions; any but this one can be signed out, one by one or all at once. */
export function SessionList() {
  const sessions = useAuthSessions();
  const revoke = useRevokeSession();
  const revokeOthers = useRevokeOtherSessions();
  const rows = sessions.data?.sessions ?? [];
  const others = rows.filter((s) => !s.current).length;
  return (
    <Paper sx={{ p: { xs: 2, sm: 3 } }}>
      <Stack
        direction={{ xs: 'column', sm: 'row' }}
        spacing={1}
        sx={{ justifyContent: 'space-between', alignItems: { sm: 'center' }, mb: 1 }}
      >
        <Typography variant="h2" component="h2">
          Sessions
        </Typography>
        <Button
          color="warning"
          variant="outlined"
          disabled={others === 0 || revokeOthers.isPending}
          onClick={() => revokeOthers.mutate()}
        >
          Sign out all other sessions
        </Button>
      </Stack>
      <ErrorAlert
        error={sessions.error ?? revoke.error ?? revokeOthers.error}
        onRetry={() => sessions.refetch()}
      />
      {sessions.isLoading ? (
        <Loading label="Loading sessions" />
      ) : (
        <List aria-label="Sessions" disablePadding>
          {rows.map((s, i) => (
            <Fragment key={s.session_id}>
              {i > 0 && <Divider component="li" />}
              <ListItem sx={{ flexWrap: 'wrap', gap: 1, px: 0 }} aria-label={s.device || 'Unknown device'}>
                <Box sx={{ flex: '1 1 220px', minWidth: 0 }}>
                  <Typography sx={{ wordBreak: 'break-word' }} component="div">
                    {s.device || 'Unknown device'}
                    {s.current && <Chip label="this device" size="small" color="primary" sx={{ ml: 1 }} />}
                  </Typography>
                  <Typography variant="body2" color="text.secondary">
                    {s.ip_address} · last seen {formatDateTime(s.last_seen_at)} · signed in{' '}
                    {formatDateTime(s.created_at)}
                  </Typography>
                </Box>
                {!s.current && (
                  <Button
                    size="small"
                    onClick={() => revoke.mutate(s.session_id)}
                    disabled={revoke.isPending}
                    aria-label={`Sign out ${s.device || 'this session'}`}
                  >
                    Sign out
                  </Button>
                )}
              </ListItem>
            </Fragment>
          ))}
        </List>
      )}
    </Paper>
  );
}
