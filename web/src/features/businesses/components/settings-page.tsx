import { Button, CircularProgress, Grid, MenuItem, Paper, Stack, TextField, Typography } from '@mui/material';
import { type FormEvent, useEffect, useMemo, useState } from 'react';
import { Link as RouterLink } from 'react-router-dom';
import { ConfirmDialog } from '@/components/confirm-dialog';
import { DisabledReason } from '@/components/disabled-reason';
import { ErrorAlert } from '@/components/error-alert';
import { Loading } from '@/components/loading';
import { OfflineBanner } from '@/components/offline-banner';
import { PageHeader } from '@/components/page-header';
import { ReadOnlyFieldset } from '@/components/read-only-fieldset';
import { RequireBusiness } from '@/components/require-business';
import { saveConfig } from '@/lib/api/auth/save-config';
import { useBusiness } from '@/lib/api/businesses/get-business';
import { useRotateKey } from '@/lib/api/businesses/rotate-key';
import { type UpdateBusinessInput, useUpdateBusiness } from '@/lib/api/businesses/update-business';
import { fieldErrorsOf } from '@/lib/api/errors';
import type { Business } from '@/lib/api/models';
import { useStages } from '@/lib/api/stages/list-stages';
import { useCan } from '@/lib/auth/permissions';
import { useSession } from '@/lib/auth/session';
import { paths } from '@/lib/paths';
import { useRuntime } from '@/lib/runtime';
import { LlmBudgetPanel } from './llm-budget-panel';
import { NewKeyDialog } from './new-key-dialog';

const PROFILE = [
  'business_name',
  'business_description',
  'address',
  'phone_number',
  'website',
  'owner_id',
] as const;
const SETTINGS = ['fallback_reply', 'handoff_message', 'llm_model'] as const;
type FormKey = (typeof PROFILE)[number] | (typeof SETTINGS)[number] | 'first_stage_id';
type FormValues = Record<FormKey, string>;

const EMPTY: FormValues = {
  business_name: '',
  business_description: '',
  address: '',
  phone_number: '',
  website: '',
  owner_id: '',
  first_stage_id: '',
  fallback_reply: '',
  handoff_message: '',
  llm_model: '',
};

function toForm(b: Business): FormValues {
  const out = { ...EMPTY };
  for (const k of PROFILE) out[k] = b[k] ?? '';
  for (const k of SETTINGS) out[k] = b.settings?.[k] ?? '';
  out.first_stage_id = b.first_stage_id ?? '';
  return out;
}

/** Only what changed. Cleared optional profile fields become null; cleared settings become '' (server default). */
function toPatch(values: FormValues, changed: FormKey[]): UpdateBusinessInput {
  const patch: UpdateBusinessInput = {};
  const settings: Record<string, string> = {};
  for (const k of changed) {
    if ((SETTINGS as readonly string[]).includes(k)) settings[k] = values[k].trim();
    else if (k === 'first_stage_id') {
      if (values[k]) patch.first_stage_id = values[k];
    } else if (k === 'business_name' || k === 'business_description') patch[k] = values[k];
    else
      patch[k as 'address' | 'phone_number' | 'website' | 'owner_id'] =
        values[k].trim() === '' ? null : values[k];
  }
  if (Object.keys(settings).length) patch.settings = settings;
  return patch;
}

export function SettingsPage() {
  return (
    <>
      <PageHeader
        title="Settings"
        subtitle="The business profile, its entry stage, its fallback and hand-off replies and its model."
      />
      <OfflineBanner />
      <RequireBusiness>
        {(businessId) => <SettingsForm key={businessId} businessId={businessId} />}
      </RequireBusiness>
    </>
  );
}

function SettingsForm({ businessId }: { businessId: string }) {
  const business = useBusiness(businessId);
  const stages = useStages(businessId);
  const runtime = useRuntime();
  const update = useUpdateBusiness(businessId);
  const settings = useCan('settings.edit');
  const channels = useCan('channels.manage');
  const [values, setValues] = useState<FormValues>(EMPTY);
  const [saved, setSaved] = useState(false);

  useEffect(() => {
    if (business.data) setValues(toForm(business.data));
  }, [business.data]);

  const initial = useMemo(() => (business.data ? toForm(business.data) : EMPTY), [business.data]);
  const changed = (Object.keys(values) as FormKey[]).filter((k) => values[k] !== initial[k]);
  const fe = fieldErrorsOf(update.error);

  function submit(e: FormEvent) {
    e.preventDefault();
    update.mutate(toPatch(values, changed), {
      onSuccess: () => {
        setSaved(true);
        setTimeout(() => setSaved(false), 2500);
      },
    });
  }

  if (business.isLoading) return <Loading />;
  if (business.error) return <ErrorAlert error={business.error} onRetry={() => business.refetch()} />;

  const field = (name: FormKey, label: string, extra: Partial<Parameters<typeof TextField>[0]> = {}) => (
    <TextField
      label={label}
      name={name}
      value={values[name]}
      onChange={(e) => setValues((v) => ({ ...v, [name]: e.target.value }))}
      error={!!(fe[name] ?? fe[`settings.${name}`] ?? fe[`settings/${name}`])}
      helperText={fe[name] ?? fe[`settings.${name}`] ?? fe[`settings/${name}`] ?? extra.helperText}
      fullWidth
      {...extra}
    />
  );

  return (
    <Stack spacing={2}>
      <ReadOnlyFieldset reason={settings.reason}>
        <Paper component="form" onSubmit={submit} noValidate sx={{ p: { xs: 2, sm: 3 } }}>
          <Typography variant="h2" component="h2" gutterBottom>
            Profile
          </Typography>
          <Grid container spacing={2}>
            <Grid size={{ xs: 12, md: 6 }}>
              {field('business_name', 'Business name', { required: true })}
            </Grid>
            <Grid size={{ xs: 12, md: 6 }}>{field('website', 'Website')}</Grid>
            <Grid size={12}>
              {field('business_description', 'Description', { multiline: true, minRows: 2 })}
            </Grid>
            <Grid size={{ xs: 12, md: 6 }}>{field('address', 'Address')}</Grid>
            <Grid size={{ xs: 12, md: 6 }}>{field('phone_number', 'Phone number')}</Grid>
          </Grid>
          <Typography variant="h2" component="h2" sx={{ mt: 3, mb: 1 }}>
            Conversation
          </Typography>
          <Grid container spacing={2}>
            <Grid size={{ xs: 12, md: 6 }}>
              {field('first_stage_id', 'Entry stage', {
                select: true,
                helperText: 'Where every new conversation starts.',
                children: (stages.data?.stages ?? []).map((s) => (
                  <MenuItem key={s.stage_id} value={s.stage_id}>
                    {s.stage_name}
                  </MenuItem>
                )),
              })}
            </Grid>
            <Grid size={{ xs: 12, md: 6 }}>
              {field('llm_model', 'LLM model override', {
                placeholder: runtime.data?.model ?? 'server default',
                helperText: `Leave empty to use the server's model${runtime.data?.model ? ` (${runtime.data.model})` : ''}.`,
              })}
            </Grid>
            <Grid size={12}>
              {field('fallback_reply', 'Fallback reply', {
                multiline: true,
                minRows: 2,
                helperText: 'Sent to the customer when the model fails or is not configured.',
              })}
            </Grid>
            <Grid size={12}>
              {field('handoff_message', 'Hand-off message', {
                multiline: true,
                minRows: 2,
                placeholder: "I'm passing you to a member of our team. Someone will reply here shortly.",
                helperText:
                  'Sent, without asking the model, when a customer asks for a person; the AI then pauses until someone gives the conversation back. Leave empty for the default.',
              })}
            </Grid>
          </Grid>
          <ErrorAlert error={update.error} />
          <Stack direction="row" spacing={2} sx={{ mt: 2, alignItems: 'center' }}>
            <Button
              type="submit"
              variant="contained"
              disabled={update.isPending || changed.length === 0}
              startIcon={update.isPending ? <CircularProgress size={16} color="inherit" /> : undefined}
            >
              Save settings
            </Button>
            <Button disabled={changed.length === 0} onClick={() => setValues(initial)}>
              Discard changes
            </Button>
            {saved && (
              <Typography color="success.main" role="status">
                Saved
              </Typography>
            )}
          </Stack>
        </Paper>
      </ReadOnlyFieldset>
      <LlmBudgetPanel businessId={businessId} budget={business.data?.settings.llm_budget_usd ?? null} />
      {channels.allowed && (
        <Paper sx={{ p: { xs: 2, sm: 3 } }}>
          <Typography variant="h2" component="h2" gutterBottom>
            Channels
          </Typography>
          <Typography variant="body2" color="text.secondary" sx={{ mb: 1.5 }}>
            WhatsApp, Messenger and the chat widget for your website are connected on their own page.
          </Typography>
          <Button component={RouterLink} to={paths.channels()} variant="outlined">
            Open Channels
          </Button>
        </Paper>
      )}
      <KeyPanel businessId={businessId} />
    </Stack>
  );
}

function KeyPanel({ businessId }: { businessId: string }) {
  const { me } = useSession();
  const keys = useCan('keys.manage');
  const rotate = useRotateKey();
  const [confirm, setConfirm] = useState(false);
  const [key, setKey] = useState<string | null>(null);
  return (
    <Paper sx={{ p: { xs: 2, sm: 3 } }}>
      <Typography variant="h2" component="h2" gutterBottom>
        API key
      </Typography>
      <Typography variant="body2" color="text.secondary" sx={{ mb: 2 }}>
        Keys are stored hashed and cannot be shown again. Rotating issues a new key; the old one stops working
        at once.
      </Typography>
      <DisabledReason reason={keys.reason}>
        <Button variant="outlined" color="warning" onClick={() => setConfirm(true)} disabled={!keys.allowed}>
          Rotate key
        </Button>
      </DisabledReason>
      <ConfirmDialog
        open={confirm}
        title="Rotate API key?"
        message="The current key stops working immediately. Integrations using it must be updated."
        confirmLabel="Rotate key"
        pending={rotate.isPending}
        error={rotate.error}
        onClose={() => setConfirm(false)}
        onConfirm={() =>
          rotate.mutate(businessId, {
            onSuccess: async (r) => {
              // A business signed in with the old key would be signed out: re-sign in with the new one.
              if (me?.role === 'business') await saveConfig(businessId, r.api_key).catch(() => undefined);
              setConfirm(false);
              setKey(r.api_key);
            },
          })
        }
      />
      <NewKeyDialog
        open={!!key}
        title="New API key"
        apiKey={key}
        businessId={businessId}
        onClose={() => setKey(null)}
      />
    </Paper>
  );
}
