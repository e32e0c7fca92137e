import { Stack } from '@mui/material';
import { ErrorAlert } from '@/components/error-alert';
import { Loading } from '@/components/loading';
import { PageHeader } from '@/components/page-header';
import { ReadOnlyFieldset } from '@/components/read-only-fieldset';
import { RequireBusiness } from '@/components/require-business';
import { useChannels } from '@/lib/api/channels/get-channels';
import { useCan } from '@/lib/auth/permissions';
import { MetaChannelCard } from './meta-channel-card';
import { WebWidgetCard } from './web-widget-card';

export function ChannelsPage() {
  return (
    <>
      <PageHeader
        title="Channels"
        subtitle="Where customers reach your assistant: WhatsApp, Messenger and the chat widget on your website."
      />
      <RequireBusiness>
        {(businessId) => <ChannelsView key={businessId} businessId={businessId} />}
      </RequireBusiness>
    </>
  );
}

function ChannelsView({ businessId }: { businessId: string }) {
  const channels = useChannels(businessId);
  const manage = useCan('channels.manage');
  if (channels.isLoading) return <Loading />;
  if (channels.error || !channels.data)
    return <ErrorAlert error={channels.error} onRetry={() => channels.refetch()} />;
  const { whatsapp, messenger, web } = channels.data;
  return (
    <ReadOnlyFieldset reason={manage.reason}>
      <Stack spacing={3}>
        <WebWidgetCard businessId={businessId} web={web} />
        <MetaChannelCard
          businessId={businessId}
          kind="whatsapp"
          status={{
            externalId: whatsapp.phone_number_id,
            hasToken: whatsapp.has_access_token,
            hasAppSecret: whatsapp.has_app_secret,
            hasVerifyToken: whatsapp.has_verify_token,
            webhookUrl: whatsapp.webhook_url,
            connected: whatsapp.connected,
          }}
        />
        <MetaChannelCard
          businessId={businessId}
          kind="messenger"
          status={{
            externalId: messenger.page_id,
            hasToken: messenger.has_page_access_token,
            hasAppSecret: messenger.has_app_secret,
            hasVerifyToken: messenger.has_verify_token,
            webhookUrl: messenger.webhook_url,
            connected: messenger.connected,
          }}
        />
      </Stack>
    </ReadOnlyFieldset>
  );
}
