import { Button, Divider, Grid, Paper } from '@mui/material';
import { Link as RouterLink, useParams } from 'react-router-dom';
import { ErrorAlert } from '@/components/error-alert';
import { Loading } from '@/components/loading';
import { PageHeader } from '@/components/page-header';
import { RequireBusiness } from '@/components/require-business';
import { formatDateTime } from '@/lib/format';
import { paths } from '@/lib/paths';
import { AgentReplyBox } from './agent-reply-box';
import { ConversationSidePanel } from './conversation-side-panel';
import { Transcript } from './transcript';
import { useConversationView } from './use-conversation-view';

export function ConversationPage() {
  const { conversationId } = useParams();
  return (
    <RequireBusiness>
      {(businessId) => (
        <ConversationView
          key={`${businessId}/${conversationId}`}
          businessId={businessId}
          conversationId={conversationId as string}
        />
      )}
    </RequireBusiness>
  );
}

export function ConversationView({
  businessId,
  conversationId,
}: {
  businessId: string;
  conversationId: string;
}) {
  const { detail, calls, stageName } = useConversationView(businessId, conversationId);

  if (detail.isLoading) return <Loading />;
  if (detail.error || !detail.data)
    return (
      <ErrorAlert
        error={detail.error ?? new Error('Conversation not found.')}
        onRetry={() => detail.refetch()}
      />
    );
  const { conversation: c, messages } = detail.data;

  return (
    <>
      <PageHeader
        title={c.user_name || `Conversation with user ${c.user_id.slice(0, 8)}`}
        subtitle={`Started ${formatDateTime(c.start_time)} · ${messages.length} messages`}
        actions={
          <Button component={RouterLink} to={paths.conversations()}>
            All conversations
          </Button>
        }
      />
      <Grid container spacing={2}>
        <Grid size={{ xs: 12, md: 8 }}>
          <Paper sx={{ p: { xs: 1, sm: 2 } }}>
            <ErrorAlert error={calls.error} title="LLM calls unavailable" />
            <Transcript messages={messages} llmCalls={calls.data?.llm_calls ?? []} stageName={stageName} />
            <Divider sx={{ my: 2 }} />
            <AgentReplyBox
              businessId={businessId}
              conversationId={conversationId}
              closed={c.status === 'closed'}
              aiStopped={c.ai_control.is_stopped}
              onSent={() => calls.refetch()}
            />
          </Paper>
        </Grid>
        <Grid size={{ xs: 12, md: 4 }}>
          <ConversationSidePanel businessId={businessId} detail={detail.data} stageName={stageName} />
        </Grid>
      </Grid>
    </>
  );
}
