import { Chip, MenuItem, Stack, TextField, Typography } from '@mui/material';
import { useEffect } from 'react';
import { useBusinesses } from '@/lib/api/businesses/list-businesses';
import { useSession } from '@/lib/auth/session';

/** The business on screen: any business for a platform admin, else one of the account's memberships. */
export function BusinessSwitcher() {
  const { isAdmin } = useSession();
  return isAdmin ? <AdminBusinessSwitcher /> : <MembershipSwitcher />;
}

/** A team member's businesses, each with the member's role in it. */
function MembershipSwitcher() {
  const { businessId, businessName, memberships, standing, selectBusiness } = useSession();
  const role = standing?.kind === 'member' ? standing.role : null;
  if (memberships.length <= 1)
    return (
      <Stack direction="row" spacing={1} sx={{ alignItems: 'center', minWidth: 0 }}>
        <Typography noWrap sx={{ fontWeight: 600 }}>
          {businessName ?? 'No business yet'}
        </Typography>
        {role && <Chip size="small" variant="outlined" label={role} />}
      </Stack>
    );
  return (
    <TextField
      select
      label="Business"
      size="small"
      value={businessId ?? ''}
      onChange={(e) => {
        const m = memberships.find((x) => x.business_id === e.target.value);
        selectBusiness(e.target.value || null, m?.business_name);
      }}
      sx={{
        minWidth: { xs: 140, sm: 220 },
        maxWidth: 280,
        '& .MuiInputBase-root': { bgcolor: 'background.paper' },
      }}
    >
      {memberships.map((m) => (
        <MenuItem key={m.business_id} value={m.business_id}>
          {m.business_name} ({m.role})
        </MenuItem>
      ))}
    </TextField>
  );
}

/** The admin's choice of business; every business-scoped page follows it. */
function AdminBusinessSwitcher() {
  const { businessId, businessName, selectBusiness } = useSession();
  const { data, isLoading } = useBusinesses();
  const businesses = data?.businesses ?? [];

  useEffect(() => {
    if (!data) return;
    const current = businesses.find((b) => b.business_id === businessId);
    if (!current) {
      const first = businesses[0];
      if (first || businessId) selectBusiness(first ? first.business_id : null, first?.business_name);
    } else if (current.business_name !== businessName) {
      selectBusiness(current.business_id, current.business_name);
    }
  }, [data, businessId, businessName, businesses, selectBusiness]);

  return (
    <TextField
      select
      label="Business"
      size="small"
      value={businessId && businesses.some((b) => b.business_id === businessId) ? businessId : ''}
      onChange={(e) => {
        const b = businesses.find((x) => x.business_id === e.target.value);
        selectBusiness(e.target.value || null, b?.business_name);
      }}
      disabled={isLoading || businesses.length === 0}
      helperText={!isLoading && businesses.length === 0 ? 'No businesses yet' : undefined}
      sx={{
        minWidth: { xs: 140, sm: 220 },
        maxWidth: 280,
        '& .MuiInputBase-root': { bgcolor: 'background.paper' },
      }}
      slotProps={{ select: { MenuProps: { slotProps: { paper: { sx: { maxHeight: 360 } } } } } }}
    >
      {businesses.map((b) => (
        <MenuItem key={b.business_id} value={b.business_id}>
          {b.business_name}
        </MenuItem>
      ))}
    </TextField>
  );
}
