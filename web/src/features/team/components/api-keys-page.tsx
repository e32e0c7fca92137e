import AddIcon from '@mui/icons-material/Add';
import { Box, Button, Chip, Divider, List, ListItem, Paper, Stack, Typography } from '@mui/material';
import { Fragment, useState } from 'react';
import { ConfirmDialog } from '@/components/confirm-dialog';
import { DisabledReason } from '@/components/disabled-reason';
import { EmptyState } from '@/components/empty-state';
import { ErrorAlert } from '@/components/error-alert';
import { Loading } from '@/components/loading';
import { PageHeader } from '@/components/page-header';
import { RequireBusiness } from '@/components/require-business';
import { useApiKeys } from '@/lib/api/api-keys/list-api-keys';
import { useRevokeApiKey } from '@/lib/api/api-keys/revoke-api-key';
import type { ApiKey, CreatedApiKey } from '@/lib/api/models';
import { useCan } from '@/lib/auth/permissions';
import { formatDateTime } from '@/lib/format';
import { monoFont } from '@/theme/theme';
import { CreateKeyDialog } from './create-key-dialog';
import { SecretOnceDialog } from './secret-once-dialog';

export function ApiKeysPage() {
  const manage = useCan('keys.manage');
  const [creating, setCreating] = useState(false);
  const [created, setCreated] = useState<CreatedApiKey | null>(null);
  return (
    <>
      <PageHeader
        title="API keys"
        subtitle="Named keys for integrations, each with its scopes. A key's secret is shown once, when it is made."
        actions={
          <DisabledReason reason={manage.reason}>
            <Button
              variant="contained"
              startIcon={<AddIcon />}
              onClick={() => setCreating(true)}
              disabled={!manage.allowed}
            >
              New API key
            </Button>
          </DisabledReason>
        }
      />
      <RequireBusiness>
        {(businessId) =>
          manage.allowed ? (
            <>
              <KeyList businessId={businessId} />
              <CreateKeyDialog
                businessId={businessId}
                open={creating}
                onClose={() => setCreating(false)}
                onCreated={setCreated}
              />
              <SecretOnceDialog created={created} onClose={() => setCreated(null)} />
            </>
          ) : (
            <EmptyState title="API keys are managed by owners" description={manage.reason} />
          )
        }
      </RequireBusiness>
    </>
  );
}

function KeyList({ businessId }: { businessId: string }) {
  const keys = useApiKeys(businessId);
  const revoke = useRevokeApiKey(businessId);
  const [revoking, setRevoking] = useState<ApiKey | null>(null);
  if (keys.isLoading) return <Loading />;
  if (keys.error) return <ErrorAlert error={keys.error} onRetry={() => keys.refetch()} />;
  const rows = keys.data?.api_keys ?? [];
  if (rows.length === 0)
    return <EmptyState title="No API keys" description="Make one for each integration." />;
  return (
    <Paper>
      <List aria-label="API keys" disablePadding>
        {rows.map((k, i) => (
          <Fragment key={k.key_id}>
            {i > 0 && <Divider component="li" />}
            <ListItem sx={{ flexWrap: 'wrap', gap: 1.5, py: 1.5 }} aria-label={k.name}>
              <Box sx={{ flex: '1 1 220px', minWidth: 0 }}>
                <Typography sx={{ fontWeight: 600 }} noWrap>
                  {k.name}
                </Typography>
                <Typography variant="body2" color="text.secondary" sx={{ fontFamily: monoFont }}>
                  {k.prefix}…
                </Typography>
                <Typography variant="caption" color="text.secondary" component="div">
                  {k.created_by ? `Made by ${k.created_by.name}` : 'Made with the business'} · last used{' '}
                  {k.last_used_at ? formatDateTime(k.last_used_at) : 'never'} ·{' '}
                  {k.expires_at ? `expires ${formatDateTime(k.expires_at)}` : 'no expiry'}
                </Typography>
              </Box>
              <Stack direction="row" spacing={0.5} sx={{ flexWrap: 'wrap', gap: 0.5 }}>
                {k.scopes.map((s) => (
                  <Chip key={s} label={s} size="small" variant="outlined" />
                ))}
              </Stack>
              <Button color="error" onClick={() => setRevoking(k)} aria-label={`Revoke ${k.name}`}>
                Revoke
              </Button>
            </ListItem>
          </Fragment>
        ))}
      </List>
      <ConfirmDialog
        open={!!revoking}
        title="Revoke API key?"
        message={
          revoking
            ? `"${revoking.name}" stops working at once. Integrations using it must get a new key.`
            : ''
        }
        confirmLabel="Revoke"
        pending={revoke.isPending}
        error={revoke.error}
        onClose={() => {
          revoke.reset();
          setRevoking(null);
        }}
        onConfirm={() => revoking && revoke.mutate(revoking.key_id, { onSuccess: () => setRevoking(null) })}
      />
    </Paper>
  );
}
