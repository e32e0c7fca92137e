import AddIcon from '@mui/icons-material/Add';
import DeleteIcon from '@mui/icons-material/Delete';
import EditIcon from '@mui/icons-material/Edit';
import {
  Button,
  Dialog,
  DialogActions,
  DialogContent,
  DialogTitle,
  IconButton,
  Stack,
  TableCell,
  TableRow,
  TextField,
  Typography,
} from '@mui/material';
import { type FormEvent, useState } from 'react';
import { ConfirmDialog } from '@/components/confirm-dialog';
import { EmptyState } from '@/components/empty-state';
import { ErrorAlert } from '@/components/error-alert';
import { ListView } from '@/components/list-view';
import { PageHeader } from '@/components/page-header';
import { RequireBusiness } from '@/components/require-business';
import {
  useCannedReplies,
  useDeleteCannedReply,
  useSaveCannedReply,
} from '@/lib/api/canned-replies/canned-replies';
import { fieldErrorsOf } from '@/lib/api/errors';
import type { CannedReply } from '@/lib/api/inbox-models';
import { useCan } from '@/lib/auth/permissions';

const SHORTCUT = /^[a-z0-9][a-z0-9_-]{0,31}$/;

/** Canned replies: the answers agents insert by typing `/shortcut` in the inbox. Editors manage them. */
export function CannedRepliesPage() {
  return (
    <RequireBusiness>
      {(businessId) => <CannedReplies key={businessId} businessId={businessId} />}
    </RequireBusiness>
  );
}

function CannedReplies({ businessId }: { businessId: string }) {
  const list = useCannedReplies(businessId);
  const edit = useCan('content.edit');
  const del = useDeleteCannedReply(businessId);
  const [editing, setEditing] = useState<CannedReply | 'new' | null>(null);
  const [deleting, setDeleting] = useState<CannedReply | null>(null);
  const rows = list.data?.canned_replies ?? [];

  return (
    <>
      <PageHeader
        title="Canned replies"
        subtitle={
          <>
            Ready answers for the inbox: type <code>/</code> and the shortcut in the reply box. Variables such
            as <code>{'{{user_name}}'}</code> are filled in for the conversation.
          </>
        }
        actions={
          edit.allowed ? (
            <Button variant="contained" startIcon={<AddIcon />} onClick={() => setEditing('new')}>
              New canned reply
            </Button>
          ) : undefined
        }
      />
      {!edit.allowed && (
        <Typography variant="body2" color="text.secondary" role="note" sx={{ mb: 1 }}>
          Read only: {edit.reason}
        </Typography>
      )}
      <ListView
        query={list}
        label="Canned replies"
        empty={
          rows.length === 0 && (
            <EmptyState
              title="No canned replies yet"
              description="Save the answers your team gives again and again, then insert them with /shortcut."
            />
          )
        }
        head={
          <>
            <TableCell>Shortcut</TableCell>
            <TableCell>Reply</TableCell>
            {edit.allowed && <TableCell align="right">Actions</TableCell>}
          </>
        }
      >
        {rows.map((r) => (
          <TableRow key={r.canned_reply_id}>
            <TableCell sx={{ fontFamily: 'monospace', whiteSpace: 'nowrap' }}>/{r.shortcut}</TableCell>
            <TableCell sx={{ whiteSpace: 'pre-wrap', wordBreak: 'break-word' }}>{r.content}</TableCell>
            {edit.allowed && (
              <TableCell align="right" sx={{ whiteSpace: 'nowrap' }}>
                <IconButton aria-label={`Edit /${r.shortcut}`} onClick={() => setEditing(r)}>
                  <EditIcon />
                </IconButton>
                <IconButton aria-label={`Delete /${r.shortcut}`} onClick={() => setDeleting(r)}>
                  <DeleteIcon />
                </IconButton>
              </TableCell>
            )}
          </TableRow>
        ))}
      </ListView>
      {editing && (
        <CannedReplyDialog
          businessId={businessId}
          reply={editing === 'new' ? null : editing}
          onClose={() => setEditing(null)}
        />
      )}
      <ConfirmDialog
        open={!!deleting}
        title={`Delete /${deleting?.shortcut ?? ''}?`}
        message="The shortcut stops working in the inbox. Messages already sent keep their text."
        pending={del.isPending}
        error={del.error}
        onClose={() => setDeleting(null)}
        onConfirm={() =>
          deleting && del.mutate(deleting.canned_reply_id, { onSuccess: () => setDeleting(null) })
        }
      />
    </>
  );
}

function CannedReplyDialog({
  businessId,
  reply,
  onClose,
}: {
  businessId: string;
  reply: CannedReply | null;
  onClose: () => void;
}) {
  const save = useSaveCannedReply(businessId);
  const [shortcut, setShortcut] = useState(reply?.shortcut ?? '');
  const [content, setContent] = useState(reply?.content ?? '');
  const [touched, setTouched] = useState(false);
  const fe = fieldErrorsOf(save.error);
  const shortcutError =
    fe.shortcut ??
    (touched && !SHORTCUT.test(shortcut)
      ? 'Lowercase letters, digits, - and _ (up to 32), starting with a letter or digit.'
      : undefined);
  const contentError = fe.content ?? (touched && !content.trim() ? 'Write the reply.' : undefined);

  function submit(e: FormEvent) {
    e.preventDefault();
    setTouched(true);
    if (!SHORTCUT.test(shortcut) || !content.trim() || content.length > 4000) return;
    save.mutate({ id: reply?.canned_reply_id, shortcut, content }, { onSuccess: onClose });
  }

  return (
    <Dialog open onClose={onClose} fullWidth maxWidth="sm">
      <form onSubmit={submit} noValidate>
        <DialogTitle>{reply ? `Edit /${reply.shortcut}` : 'New canned reply'}</DialogTitle>
        <DialogContent>
          <Stack spacing={2} sx={{ pt: 1 }}>
            <TextField
              label="Shortcut"
              value={shortcut}
              onChange={(e) => setShortcut(e.target.value.toLowerCase())}
              error={!!shortcutError}
              helperText={shortcutError ?? 'Typed after / in the reply box, e.g. "hours".'}
              required
              autoFocus
            />
            <TextField
              label="Reply"
              value={content}
              onChange={(e) => setContent(e.target.value)}
              error={!!contentError}
              helperText={
                contentError ??
                `${content.length}/4000 · {{user_name}}, {{business_name}} and collected data work here.`
              }
              required
              multiline
              minRows={4}
            />
            {!fe.shortcut && !fe.content && <ErrorAlert error={save.error} />}
          </Stack>
        </DialogContent>
        <DialogActions>
          <Button onClick={onClose}>Cancel</Button>
          <Button type="submit" variant="contained" disabled={save.isPending}>
            Save
          </Button>
        </DialogActions>
      </form>
    </Dialog>
  );
}
