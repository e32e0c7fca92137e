import { Paper, Table, TableBody, TableContainer, TableHead, TablePagination, TableRow } from '@mui/material';
import type { ReactNode } from 'react';
import { ErrorAlert } from './error-alert';
import { Loading, TopProgress } from './loading';

/** What a list page needs of its TanStack query. */
export interface ListQuery {
  error: unknown;
  isLoading: boolean;
  isFetching?: boolean;
  refetch: () => unknown;
}

export interface ListPaging {
  total: number;
  /** From 1. */
  page: number;
  perPage: number;
  perPageOptions: number[];
  onPage: (page: number) => void;
  onPerPage: (perPage: string) => void;
}

/**
 * The body of every list page, below its PageHeader: filters, the error (with retry), loading, the
 * empty state (`empty`, when there are no rows), else the table with optional paging.
 */
export function ListView({
  query,
  label,
  filters,
  head,
  empty,
  paging,
  showRefetch,
  children,
}: {
  query: ListQuery;
  /** The table's accessible name. */
  label: string;
  filters?: ReactNode;
  /** The header cells. */
  head: ReactNode;
  /** An `<EmptyState>` when there are no rows, else false or null. */
  empty: ReactNode;
  paging?: ListPaging;
  /** A thin progress bar while a background refetch runs. */
  showRefetch?: boolean;
  /** The rows. */
  children: ReactNode;
}) {
  return (
    <>
      {filters}
      <ErrorAlert error={query.error} onRetry={() => query.refetch()} />
      {query.isLoading ? (
        <Loading />
      ) : empty && !query.error ? (
        empty
      ) : (
        <Paper>
          {showRefetch && <TopProgress active={!!query.isFetching && !query.isLoading} />}
          <TableContainer>
            <Table size="small" aria-label={label}>
              <TableHead>
                <TableRow>{head}</TableRow>
              </TableHead>
              <TableBody>{children}</TableBody>
            </Table>
          </TableContainer>
          {paging && (
            <TablePagination
              component="div"
              count={paging.total}
              page={paging.page - 1}
              rowsPerPage={paging.perPage}
              rowsPerPageOptions={paging.perPageOptions}
              onPageChange={(_, p) => paging.onPage(p + 1)}
              onRowsPerPageChange={(e) => paging.onPerPage(e.target.value)}
            />
          )}
        </Paper>
      )}
    </>
  );
}
