import AddIcon from '@mui/icons-material/Add';
import DeleteIcon from '@mui/icons-material/Delete';
import KeyIcon from '@mui/icons-material/Key';
import { Button, IconButton, TableCell, TableRow, Tooltip } from '@mui/material';
import { useState } from 'react';
import { ConfirmDialog } from '@/components/confirm-dialog';
import { EmptyState } from '@/components/empty-state';
import { ListView } from '@/components/list-view';
import { PageHeader } from '@/components/page-header';
import { useDeleteBusiness } from '@/lib/api/businesses/delete-business';
import { useBusinesses } from '@/lib/api/businesses/list-businesses';
import { useRotateKey } from '@/lib/api/businesses/rotate-key';
import type { Business } from '@/lib/api/models';
import { useSession } from '@/lib/auth/session';
import { formatDateTime, shortId } from '@/lib/format';
import { CreateBusinessDialog } from './create-business-dialog';
import { NewKeyDialog } from './new-key-dialog';

export function BusinessesPage() {
  const [page, setPage] = useState(0);
  const [perPage, setPerPage] = useState(20);
  const list = useBusinesses({ page: page + 1, perPage });
  const { businessId, selectBusiness } = useSession();
  const [creating, setCreating] = useState(false);
  const [revealed, setRevealed] = useState<{ title: string; key: string; businessId?: string } | null>(null);
  const [toRotate, setToRotate] = useState<Business | null>(null);
  const [toDelete, setToDelete] = useState<Business | null>(null);
  const rotate = useRotateKey();
  const del = useDeleteBusiness();

  const rows = list.data?.businesses ?? [];
  return (
    <>
      <PageHeader
        title="Businesses"
        business={false}
        subtitle="Every tenant of this installation. Only the master key sees this page."
        actions={
          <Button variant="contained" startIcon={<AddIcon />} onClick={() => setCreating(true)}>
            Create business
          </Button>
        }
      />
      <ListView
        query={list}
        label="Businesses"
        empty={
          rows.length === 0 && (
            <EmptyState
              title="No businesses yet"
              description="Create the first business. You will get its API key once, to give to its administrator."
              action={
                <Button variant="contained" onClick={() => setCreating(true)}>
                  Create business
                </Button>
              }
            />
          )
        }
        head={
          <>
            <TableCell>Name</TableCell>
            <TableCell sx={{ display: { xs: 'none', sm: 'table-cell' } }}>ID</TableCell>
            <TableCell sx={{ display: { xs: 'none', md: 'table-cell' } }}>Created</TableCell>
            <TableCell align="right">Actions</TableCell>
          </>
        }
        paging={{
          total: list.data?.total ?? 0,
          page: page + 1,
          perPage,
          perPageOptions: [20, 50, 100],
          onPage: (p) => setPage(p - 1),
          onPerPage: (n) => {
            setPerPage(Number(n));
            setPage(0);
          },
        }}
      >
        {rows.map((b) => (
          <TableRow key={b.business_id} hover selected={b.business_id === businessId}>
            <TableCell>
              <Button
                size="small"
                onClick={() => selectBusiness(b.business_id, b.business_name)}
                sx={{ fontWeight: 600 }}
              >
                {b.business_name}
              </Button>
            </TableCell>
            <TableCell
              sx={{ display: { xs: 'none', sm: 'table-cell' }, fontFamily: 'monospace' }}
              title={b.business_id}
            >
              {shortId(b.business_id)}
            </TableCell>
            <TableCell sx={{ display: { xs: 'none', md: 'table-cell' } }}>
              {formatDateTime(b.created_at)}
            </TableCell>
            <TableCell align="right">
              <Tooltip title="Rotate key">
                <IconButton aria-label={`Rotate key of ${b.business_name}`} onClick={() => setToRotate(b)}>
                  <KeyIcon />
                </IconButton>
              </Tooltip>
              <Tooltip title="Delete">
                <IconButton aria-label={`Delete ${b.business_name}`} onClick={() => setToDelete(b)}>
                  <DeleteIcon />
                </IconButton>
              </Tooltip>
            </TableCell>
          </TableRow>
        ))}
      </ListView>

      <CreateBusinessDialog
        open={creating}
        onClose={() => setCreating(false)}
        onCreated={(b) => {
          setCreating(false);
          selectBusiness(b.business_id, b.business_name);
          setRevealed({
            title: `Business "${b.business_name}" created`,
            key: b.api_key,
            businessId: b.business_id,
          });
        }}
      />
      <NewKeyDialog
        open={!!revealed}
        title={revealed?.title ?? ''}
        apiKey={revealed?.key ?? null}
        businessId={revealed?.businessId}
        onClose={() => setRevealed(null)}
      />
      <ConfirmDialog
        open={!!toRotate}
        title="Rotate API key?"
        message={`The current key of "${toRotate?.business_name}" stops working at once. Integrations using it must be updated.`}
        confirmLabel="Rotate key"
        pending={rotate.isPending}
        error={rotate.error}
        onClose={() => {
          setToRotate(null);
          rotate.reset();
        }}
        onConfirm={() => {
          const b = toRotate;
          if (!b) return;
          rotate.mutate(b.business_id, {
            onSuccess: (r) => {
              setToRotate(null);
              setRevealed({
                title: `New key for "${b.business_name}"`,
                key: r.api_key,
                businessId: b.business_id,
              });
            },
          });
        }}
      />
      <ConfirmDialog
        open={!!toDelete}
        title="Delete business?"
        message={`This removes "${toDelete?.business_name}" and everything it owns: stages, templates, users, conversations and logs. It cannot be undone.`}
        typeToConfirm={toDelete?.business_name}
        pending={del.isPending}
        error={del.error}
        onClose={() => {
          setToDelete(null);
          del.reset();
        }}
        onConfirm={() => {
          const b = toDelete;
          if (!b) return;
          del.mutate(b.business_id, {
            onSuccess: () => {
              if (b.business_id === businessId) selectBusiness(null);
              setToDelete(null);
            },
          });
        }}
      />
    </>
  );
}
