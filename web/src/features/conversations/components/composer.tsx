import SendIcon from '@mui/icons-material/Send';
import StickyNote2Icon from '@mui/icons-material/StickyNote2';
import {
  Alert,
  Box,
  Button,
  CircularProgress,
  List,
  ListItemButton,
  ListItemText,
  Paper,
  Stack,
  TextField,
  ToggleButton,
  ToggleButtonGroup,
  Typography,
} from '@mui/material';
import { type FormEvent, type KeyboardEvent, useId, useRef, useState } from 'react';
import { ErrorAlert } from '@/components/error-alert';
import { useCannedReplies } from '@/lib/api/canned-replies/canned-replies';
import { useAgentReply } from '@/lib/api/conversations/agent-reply';
import { useAddNote } from '@/lib/api/conversations/notes';
import { fieldErrorsOf } from '@/lib/api/errors';
import type { CannedReply } from '@/lib/api/inbox-models';
import { useCan } from '@/lib/auth/permissions';
import { insertCanned, matchCanned, type SlashToken, slashToken } from './canned-token';
import { NOTE_BG } from './transcript';

type Mode = 'reply' | 'note';

/**
 * The reply box at the foot of the conversation: a reply to the customer (sent on the channel) or an
 * internal note (never sent). `/` opens the canned replies; Enter sends, Shift+Enter starts a new line,
 * Esc closes the list, or leaves the box.
 */
export function Composer({
  businessId,
  conversationId,
  closed,
  aiActive,
}: {
  businessId: string;
  conversationId: string;
  closed: boolean;
  aiActive: boolean;
}) {
  const handle = useCan('conversations.handle');
  const [mode, setMode] = useState<Mode>('reply');
  const [text, setText] = useState('');
  const [caret, setCaret] = useState(0);
  const [active, setActive] = useState(0);
  const [dismissedAt, setDismissedAt] = useState<number | null>(null);
  const inputRef = useRef<HTMLTextAreaElement | null>(null);
  const listId = useId();
  const reply = useAgentReply(businessId, conversationId);
  const note = useAddNote(businessId, conversationId);
  const token = slashToken(text, caret);
  const pickerWanted = !!token && token.start !== dismissedAt && handle.allowed;
  const canned = useCannedReplies(businessId, conversationId, { enabled: pickerWanted });
  const matches = pickerWanted ? matchCanned(canned.data?.canned_replies ?? [], token.query) : [];
  const pickerOpen = pickerWanted && (matches.length > 0 || canned.isLoading);
  const send = mode === 'note' ? note : reply;
  const fe = fieldErrorsOf(send.error);
  const replyBlocked = mode === 'reply' && closed;

  if (!handle.allowed)
    return (
      <Alert severity="info" role="note">
        Replying is not available: {handle.reason}
      </Alert>
    );

  function change(value: string, position: number) {
    setText(value);
    setCaret(position);
    setActive(0);
  }

  function pick(r: CannedReply) {
    if (!token) return;
    const next = insertCanned(text, token, r);
    change(next.text, next.caret);
    requestAnimationFrame(() => {
      inputRef.current?.focus();
      inputRef.current?.setSelectionRange(next.caret, next.caret);
    });
  }

  function submit(e?: FormEvent) {
    e?.preventDefault();
    const content = text.trim();
    if (!content || send.isPending || replyBlocked) return;
    send.mutate(content, {
      onSuccess: () => {
        change('', 0);
        setDismissedAt(null);
      },
    });
  }

  function onKeyDown(e: KeyboardEvent<HTMLDivElement>) {
    if (e.nativeEvent.isComposing) return;
    if (pickerOpen && matches.length > 0) {
      if (e.key === 'ArrowDown' || e.key === 'ArrowUp') {
        e.preventDefault();
        const step = e.key === 'ArrowDown' ? 1 : -1;
        setActive((a) => (a + step + matches.length) % matches.length);
        return;
      }
      if (e.key === 'Enter' || e.key === 'Tab') {
        e.preventDefault();
        const r = matches[Math.min(active, matches.length - 1)];
        if (r) pick(r);
        return;
      }
    }
    if (e.key === 'Escape') {
      e.preventDefault();
      if (pickerOpen && token) setDismissedAt((token as SlashToken).start);
      else inputRef.current?.blur();
      return;
    }
    if (e.key === 'Enter' && !e.shiftKey) {
      e.preventDefault();
      submit();
    }
  }

  const activeId =
    pickerOpen && matches.length > 0 ? `${listId}-${Math.min(active, matches.length - 1)}` : undefined;
  const label = mode === 'note' ? 'Internal note — not sent' : 'Reply to the customer';

  return (
    <Box
      component="form"
      onSubmit={submit}
      aria-label="Reply"
      sx={(t) => ({
        position: 'relative',
        p: 1,
        borderTop: 1,
        borderColor: 'divider',
        bgcolor: 'background.paper',
        // A note is yellow, as in the transcript (a dim yellow on a dark screen, where text is light).
        ...(mode === 'note' && {
          bgcolor: NOTE_BG,
          ...t.applyStyles('dark', { bgcolor: 'rgba(255, 214, 0, 0.14)' }),
        }),
      })}
    >
      {pickerOpen && (
        <Paper
          elevation={6}
          sx={{
            position: 'absolute',
            left: 8,
            right: 8,
            bottom: '100%',
            mb: 0.5,
            maxHeight: 260,
            overflow: 'auto',
            zIndex: 2,
          }}
        >
          {matches.length === 0 ? (
            <Typography variant="body2" sx={{ p: 1.5 }} color="text.secondary">
              Loading canned replies…
            </Typography>
          ) : (
            <List dense id={listId} role="listbox" aria-label="Canned replies">
              {matches.map((r, i) => (
                <ListItemButton
                  key={r.canned_reply_id}
                  id={`${listId}-${i}`}
                  role="option"
                  aria-selected={i === Math.min(active, matches.length - 1)}
                  selected={i === Math.min(active, matches.length - 1)}
                  // Keep the focus in the textarea.
                  onMouseDown={(e) => e.preventDefault()}
                  onClick={() => pick(r)}
                >
                  <ListItemText
                    primary={`/${r.shortcut}`}
                    secondary={r.rendered ?? r.content}
                    slotProps={{ secondary: { noWrap: true } }}
                  />
                </ListItemButton>
              ))}
            </List>
          )}
        </Paper>
      )}
      <Stack
        direction="row"
        spacing={1}
        sx={{ alignItems: 'center', mb: 0.75, flexWrap: 'wrap', rowGap: 0.5 }}
      >
        <ToggleButtonGroup
          size="small"
          exclusive
          value={mode}
          onChange={(_, v: Mode | null) => v && setMode(v)}
          aria-label="Message type"
        >
          <ToggleButton value="reply">Reply</ToggleButton>
          <ToggleButton value="note">
            <StickyNote2Icon fontSize="small" sx={{ mr: 0.5 }} aria-hidden />
            Internal note
          </ToggleButton>
        </ToggleButtonGroup>
        <Typography variant="caption" color="text.secondary" sx={{ flex: 1, minWidth: 160 }}>
          {mode === 'note'
            ? 'Only your team sees notes.'
            : replyBlocked
              ? 'This conversation is closed: reopen it to reply.'
              : aiActive
                ? 'The AI also answers this conversation until someone takes over.'
                : 'Type / for canned replies. Enter sends, Shift+Enter adds a line.'}
        </Typography>
      </Stack>
      <Stack direction="row" spacing={1} sx={{ alignItems: 'flex-end' }}>
        <TextField
          label={label}
          multiline
          minRows={1}
          maxRows={6}
          fullWidth
          size="small"
          value={text}
          inputRef={inputRef}
          onChange={(e) => change(e.target.value, e.target.selectionStart ?? e.target.value.length)}
          onSelect={(e) => setCaret((e.target as HTMLTextAreaElement).selectionStart ?? 0)}
          onKeyDown={onKeyDown}
          error={!!fe.content}
          helperText={fe.content}
          disabled={replyBlocked}
          sx={
            mode === 'note'
              ? (t) => ({
                  '& .MuiInputBase-root': {
                    bgcolor: '#fffdf0',
                    ...t.applyStyles('dark', { bgcolor: 'transparent' }),
                  },
                })
              : undefined
          }
          slotProps={{
            htmlInput: {
              'aria-controls': pickerOpen ? listId : undefined,
              'aria-activedescendant': activeId,
              'aria-autocomplete': 'list',
            },
          }}
        />
        <Button
          type="submit"
          variant="contained"
          color={mode === 'note' ? 'warning' : 'primary'}
          disabled={!text.trim() || send.isPending || replyBlocked}
          startIcon={
            send.isPending ? (
              <CircularProgress size={16} color="inherit" />
            ) : mode === 'note' ? (
              <StickyNote2Icon />
            ) : (
              <SendIcon />
            )
          }
          sx={{ whiteSpace: 'nowrap', flexShrink: 0 }}
        >
          {mode === 'note' ? 'Add note' : 'Send'}
        </Button>
      </Stack>
      {!fe.content && <ErrorAlert error={send.error} />}
    </Box>
  );
}
