import { Button } from '@mui/material';
import type { ReactNode } from 'react';
import { Link as RouterLink } from 'react-router-dom';
import { useSession } from '@/lib/auth/session';
import { paths } from '@/lib/paths';
import { EmptyState } from './empty-state';

/** Business-scoped pages render their children only once a business is chosen. */
export function RequireBusiness({ children }: { children: (businessId: string) => ReactNode }) {
  const { businessId, isAdmin, me } = useSession();
  if (businessId) return <>{children(businessId)}</>;
  return (
    <EmptyState
      title="Choose a business"
      description={
        isAdmin
          ? 'You are a platform admin. Pick a business in the switcher at the top, or create one.'
          : me?.role === 'member'
            ? 'Your account is not a member of any business yet. Ask an owner to invite you.'
            : 'No business is linked to this key.'
      }
      action={
        isAdmin ? (
          <Button component={RouterLink} to={paths.businesses()} variant="contained">
            Go to Businesses
          </Button>
        ) : undefined
      }
    />
  );
}
