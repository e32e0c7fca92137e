import ArrowBackIcon from '@mui/icons-material/ArrowBack';
import AssignmentIndIcon from '@mui/icons-material/AssignmentInd';
import DeleteIcon from '@mui/icons-material/Delete';
import MoreVertIcon from '@mui/icons-material/MoreVert';
import PauseCircleIcon from '@mui/icons-material/PauseCircle';
import PersonIcon from '@mui/icons-material/Person';
import SmartToyIcon from '@mui/icons-material/SmartToy';
import SupportAgentIcon from '@mui/icons-material/SupportAgent';
import {
  Box,
  Button,
  Chip,
  Divider,
  IconButton,
  ListItemIcon,
  ListItemText,
  Menu,
  MenuItem,
  Stack,
  Tooltip,
  Typography,
  useMediaQuery,
} from '@mui/material';
import { useRef, useState } from 'react';
import { Link as RouterLink, useNavigate } from 'react-router-dom';
import { ChannelChip } from '@/components/channel-chip';
import { ConfirmDialog } from '@/components/confirm-dialog';
import { ErrorAlert } from '@/components/error-alert';
import { useConversationAction } from '@/lib/api/conversations/conversation-actions';
import { useDeleteConversation } from '@/lib/api/conversations/delete-conversation';
import type { InboxConversation } from '@/lib/api/inbox-models';
import { useMembers } from '@/lib/api/members/list-members';
import { useCan } from '@/lib/auth/permissions';
import { useSession } from '@/lib/auth/session';
import { paths } from '@/lib/paths';
import { relativeTime } from '@/lib/relative-time';
import { useFocusOnNavigation } from '@/lib/route-focus';

/**
 * The top of the open conversation, always in view: who it is, where it stands (assignee, AI, waiting)
 * and the hand-off controls — take over, give back to the AI, assign, close or reopen.
 */
export function ConversationHeader({
  businessId,
  conversation: c,
  title,
  headingLevel,
  backTo,
  customerButton,
  now,
}: {
  businessId: string;
  conversation: InboxConversation;
  title: string;
  headingLevel: 'h1' | 'h2';
  /** On a phone: the list's URL, for the back button. */
  backTo?: string;
  /** Opens the customer panel when it is not beside the transcript. */
  customerButton?: { onClick: () => void };
  now: number;
}) {
  const { user } = useSession();
  // Where the conversation is the page (a phone), its name takes the focus after a navigation; beside
  // the list, the focus stays in the list.
  const headingRef = useRef<HTMLHeadingElement>(null);
  useFocusOnNavigation(headingRef, headingLevel === 'h1');
  const handle = useCan('conversations.handle');
  const canDelete = useCan('conversations.delete');
  const manageMembers = useCan('members.manage');
  const members = useMembers(businessId, { enabled: manageMembers.allowed });
  const action = useConversationAction(businessId, c.conversation_id);
  const del = useDeleteConversation(businessId);
  const navigate = useNavigate();
  const [assignAnchor, setAssignAnchor] = useState<HTMLElement | null>(null);
  const [moreAnchor, setMoreAnchor] = useState<HTMLElement | null>(null);
  const [confirmDelete, setConfirmDelete] = useState(false);
  const stopped = c.ai_control.is_stopped;
  const closed = c.status === 'closed';
  const mine = !!user && c.assignee_id === user.id;
  // A phone: the less frequent actions go in the ⋮ menu so the bar stays one line.
  const compact = useMediaQuery('(max-width:600px)', { noSsr: true });

  // Everyone the conversation can go to: the members (owners may list them), else me and the current assignee.
  const people = new Map<string, string>();
  for (const m of members.data?.members ?? []) people.set(m.account_id, m.name || m.email);
  if (user) people.set(user.id, `${user.name || user.email} (me)`);
  if (c.assignee_id && !people.has(c.assignee_id))
    people.set(c.assignee_id, c.assignee_name ?? 'Current assignee');

  const run = (a: Parameters<typeof action.mutate>[0]) => action.mutate(a);

  return (
    <Box
      sx={{
        px: { xs: 1, sm: 2 },
        py: 1,
        borderBottom: 1,
        borderColor: 'divider',
        bgcolor: 'background.paper',
      }}
    >
      <Stack direction="row" spacing={1} sx={{ alignItems: 'center', minWidth: 0 }}>
        {backTo && (
          <IconButton component={RouterLink} to={backTo} aria-label="Back to conversations" edge="start">
            <ArrowBackIcon />
          </IconButton>
        )}
        <Box sx={{ minWidth: 0, flex: 1 }}>
          <Typography
            ref={headingRef}
            tabIndex={-1}
            variant="h3"
            component={headingLevel}
            noWrap
            title={title}
            sx={{ '&:focus': { outline: 'none' } }}
          >
            {title}
          </Typography>
          <Stack
            direction="row"
            spacing={0.5}
            sx={{
              flexWrap: { xs: 'nowrap', sm: 'wrap' },
              overflowX: { xs: 'auto', sm: 'visible' },
              scrollbarWidth: 'none',
              rowGap: 0.5,
              mt: 0.5,
              alignItems: 'center',
              '& > *': { flexShrink: 0 },
            }}
          >
            {c.channel && <ChannelChip channel={c.channel} />}
            {closed && <Chip size="small" label="Closed" />}
            <Chip
              size="small"
              icon={c.assignee_id ? <PersonIcon /> : undefined}
              variant="outlined"
              label={
                c.assignee_id
                  ? `Assigned to ${mine ? 'me' : (c.assignee_name ?? 'a teammate')}`
                  : 'Unassigned'
              }
            />
            <Chip
              size="small"
              icon={<SmartToyIcon />}
              color={stopped ? 'warning' : 'primary'}
              variant={stopped ? 'filled' : 'outlined'}
              label={stopped ? 'AI paused' : 'AI answering'}
            />
            {c.waiting_since && !closed && (
              <Chip size="small" color="error" label={`Waiting ${relativeTime(c.waiting_since, now)}`} />
            )}
          </Stack>
        </Box>
        {customerButton && (
          <Button size="small" variant="outlined" onClick={customerButton.onClick} startIcon={<PersonIcon />}>
            Customer
          </Button>
        )}
      </Stack>
      {handle.allowed ? (
        <Stack
          direction="row"
          spacing={1}
          sx={{ mt: 1, flexWrap: 'wrap', rowGap: 1, alignItems: 'center' }}
          role="toolbar"
          aria-label="Hand-off"
        >
          {!closed && user && (!mine || !stopped) && (
            <Button
              size="small"
              variant="contained"
              startIcon={<SupportAgentIcon />}
              disabled={action.isPending}
              onClick={() => run({ kind: 'take-over' })}
            >
              Take over
            </Button>
          )}
          {!closed && !user && !stopped && (
            // A key session is nobody to assign: it can only pause the AI.
            <Tooltip describeChild title="Signed in with a key: the AI pauses, and nobody is assigned.">
              <Button
                size="small"
                variant="contained"
                color="warning"
                startIcon={<PauseCircleIcon />}
                disabled={action.isPending}
                onClick={() => run({ kind: 'stop-ai' })}
              >
                Stop AI
              </Button>
            </Tooltip>
          )}
          {!closed && (stopped || !!c.assignee_id) && (
            <Button
              size="small"
              variant={mine && stopped ? 'contained' : 'outlined'}
              color="secondary"
              startIcon={<SmartToyIcon />}
              disabled={action.isPending}
              onClick={() => run({ kind: 'give-back' })}
            >
              Give back to AI
            </Button>
          )}
          {!compact && (
            <Button
              size="small"
              variant="outlined"
              startIcon={<AssignmentIndIcon />}
              aria-haspopup="menu"
              aria-expanded={!!assignAnchor}
              disabled={action.isPending}
              onClick={(e) => setAssignAnchor(e.currentTarget)}
            >
              Assign to…
            </Button>
          )}
          <Menu anchorEl={assignAnchor} open={!!assignAnchor} onClose={() => setAssignAnchor(null)}>
            {[...people].map(([id, name]) => (
              <MenuItem
                key={id}
                selected={id === c.assignee_id}
                onClick={() => {
                  setAssignAnchor(null);
                  run({ kind: 'assign', assigneeId: id });
                }}
              >
                {name}
              </MenuItem>
            ))}
            <Divider />
            <MenuItem
              disabled={!c.assignee_id}
              onClick={() => {
                setAssignAnchor(null);
                run({ kind: 'assign', assigneeId: null });
              }}
            >
              Nobody (unassign)
            </MenuItem>
          </Menu>
          {!compact && (
            <Button
              size="small"
              variant="outlined"
              disabled={action.isPending}
              onClick={() => run({ kind: 'status', status: closed ? 'active' : 'closed' })}
            >
              {closed ? 'Reopen' : 'Close'}
            </Button>
          )}
          {(compact || canDelete.allowed) && (
            <>
              <IconButton
                size="small"
                aria-label="More actions"
                aria-haspopup="menu"
                onClick={(e) => setMoreAnchor(e.currentTarget)}
              >
                <MoreVertIcon />
              </IconButton>
              <Menu anchorEl={moreAnchor} open={!!moreAnchor} onClose={() => setMoreAnchor(null)}>
                {compact && (
                  <MenuItem
                    onClick={() => {
                      setAssignAnchor(moreAnchor);
                      setMoreAnchor(null);
                    }}
                  >
                    <ListItemIcon>
                      <AssignmentIndIcon fontSize="small" />
                    </ListItemIcon>
                    <ListItemText>Assign to…</ListItemText>
                  </MenuItem>
                )}
                {compact && (
                  <MenuItem
                    onClick={() => {
                      setMoreAnchor(null);
                      run({ kind: 'status', status: closed ? 'active' : 'closed' });
                    }}
                  >
                    <ListItemText inset>{closed ? 'Reopen' : 'Close'}</ListItemText>
                  </MenuItem>
                )}
                {canDelete.allowed && (
                  <MenuItem
                    onClick={() => {
                      setMoreAnchor(null);
                      setConfirmDelete(true);
                    }}
                  >
                    <ListItemIcon>
                      <DeleteIcon fontSize="small" color="error" />
                    </ListItemIcon>
                    <ListItemText>Delete conversation</ListItemText>
                  </MenuItem>
                )}
              </Menu>
            </>
          )}
        </Stack>
      ) : (
        <Typography variant="caption" color="text.secondary" component="p" role="note" sx={{ mt: 0.5 }}>
          {handle.reason}
        </Typography>
      )}
      <ErrorAlert error={action.error} />
      <ConfirmDialog
        open={confirmDelete}
        title="Delete conversation?"
        message="Its messages, notes, extracted data and LLM call log are removed for good."
        pending={del.isPending}
        error={del.error}
        onClose={() => setConfirmDelete(false)}
        onConfirm={() =>
          del.mutate(c.conversation_id, {
            onSuccess: () => navigate(paths.conversations(), { replace: true }),
          })
        }
      />
    </Box>
  );
}
