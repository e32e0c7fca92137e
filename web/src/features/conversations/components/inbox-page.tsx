import { Box, Drawer, Paper, Typography, useMediaQuery } from '@mui/material';
import { useParams, useSearchParams } from 'react-router-dom';
import { ErrorAlert } from '@/components/error-alert';
import { Loading } from '@/components/loading';
import { RequireBusiness } from '@/components/require-business';
import { useConversation } from '@/lib/api/conversations/get-conversation';
import { usePageTitle } from '@/lib/page-title';
import { paths } from '@/lib/paths';
import { useNow } from '@/lib/use-now';
import { ConversationPane, customerTitle, useStageNames } from './conversation-pane';
import { CustomerPanel } from './customer-panel';
import { ListPane } from './list-pane';

/** A phone: one pane at a time. */
export const PHONE_QUERY = '(max-width:768px)';
/** Room for the customer panel beside the list and the transcript. */
export const WIDE_QUERY = '(min-width:1280px)';

/** `/conversations` and `/conversations/:conversationId`: the inbox. */
export function InboxPage() {
  return (
    <RequireBusiness>{(businessId) => <Inbox key={businessId} businessId={businessId} />}</RequireBusiness>
  );
}

/**
 * `document.title` (lib/page-title): `Conversations · <Business> · ICMP`, or `Conversation with <name>
 * · …` when one is open (the title badge of lib/live goes in front of either).
 */
function useInboxTitle(businessId: string, conversationId: string | undefined) {
  const open = useConversation(businessId, conversationId);
  const name = open.data ? customerTitle(open.data) : null;
  usePageTitle(conversationId ? (name ? `Conversation with ${name}` : 'Conversation') : 'Conversations');
}

function Inbox({ businessId }: { businessId: string }) {
  const { conversationId } = useParams();
  useInboxTitle(businessId, conversationId);
  const [params, setParams] = useSearchParams();
  const phone = useMediaQuery(PHONE_QUERY, { noSsr: true });
  const wide = useMediaQuery(WIDE_QUERY, { noSsr: true });
  const now = useNow();
  const panelOpen = params.get('panel') === 'customer';
  const listSearch = (() => {
    const p = new URLSearchParams(params);
    p.delete('panel');
    return p.toString() ? `?${p}` : '';
  })();
  const setPanel = (open: boolean) => {
    const p = new URLSearchParams(params);
    if (open) p.set('panel', 'customer');
    else p.delete('panel');
    setParams(p, { replace: !phone });
  };

  const frame = {
    height: { xs: 'calc(100dvh - 80px)', sm: 'calc(100dvh - 112px)' },
    minHeight: 420,
    display: 'flex',
    overflow: 'hidden',
  } as const;

  if (phone) {
    return (
      <Paper sx={frame} variant="outlined">
        <Box sx={{ flex: 1, minWidth: 0 }}>
          {!conversationId ? (
            <ListPane
              businessId={businessId}
              selectedId={undefined}
              headingLevel="h1"
              now={now}
              focusHeading
            />
          ) : panelOpen ? (
            <Box sx={{ height: '100%', overflow: 'auto' }}>
              <CustomerPane
                businessId={businessId}
                conversationId={conversationId}
                onBack={() => setPanel(false)}
                headingLevel="h1"
              />
            </Box>
          ) : (
            <ConversationPane
              key={conversationId}
              businessId={businessId}
              conversationId={conversationId}
              headingLevel="h1"
              backTo={`${paths.conversations()}${listSearch}`}
              onShowCustomer={() => setPanel(true)}
              now={now}
            />
          )}
        </Box>
      </Paper>
    );
  }

  return (
    <Paper sx={frame} variant="outlined">
      <Box
        component="section"
        aria-label="Conversation list"
        sx={{
          width: { sm: 320, lg: 340 },
          flexShrink: 0,
          borderRight: 1,
          borderColor: 'divider',
          minHeight: 0,
        }}
      >
        <ListPane businessId={businessId} selectedId={conversationId} headingLevel="h1" now={now} />
      </Box>
      <Box component="section" aria-label="Conversation" sx={{ flex: 1, minWidth: 0, minHeight: 0 }}>
        {conversationId ? (
          <ConversationPane
            key={conversationId}
            businessId={businessId}
            conversationId={conversationId}
            headingLevel="h2"
            onShowCustomer={wide ? undefined : () => setPanel(true)}
            now={now}
          />
        ) : (
          <Box
            sx={{
              height: '100%',
              display: 'grid',
              placeItems: 'center',
              p: 3,
              bgcolor: 'background.default',
            }}
          >
            <Typography color="text.secondary" role="status">
              Choose a conversation to read it and reply.
            </Typography>
          </Box>
        )}
      </Box>
      {conversationId && wide && (
        <Box
          component="aside"
          aria-label="Customer details"
          sx={{ width: 300, flexShrink: 0, borderLeft: 1, borderColor: 'divider', overflow: 'auto' }}
        >
          <CustomerPane businessId={businessId} conversationId={conversationId} />
        </Box>
      )}
      {conversationId && !wide && (
        <Drawer anchor="right" open={panelOpen} onClose={() => setPanel(false)}>
          <Box sx={{ width: 320 }} aria-label="Customer details" component="aside">
            <CustomerPane
              businessId={businessId}
              conversationId={conversationId}
              onBack={() => setPanel(false)}
            />
          </Box>
        </Drawer>
      )}
    </Paper>
  );
}

function CustomerPane({
  businessId,
  conversationId,
  onBack,
  headingLevel,
}: {
  businessId: string;
  conversationId: string;
  onBack?: () => void;
  headingLevel?: 'h1' | 'h2';
}) {
  const detail = useConversation(businessId, conversationId);
  const { stageName } = useStageNames(businessId);
  if (detail.isLoading) return <Loading label="Loading the customer" />;
  if (!detail.data) return <ErrorAlert error={detail.error} />;
  return (
    <CustomerPanel
      businessId={businessId}
      detail={detail.data}
      stageName={stageName}
      onBack={onBack}
      headingLevel={headingLevel}
    />
  );
}
