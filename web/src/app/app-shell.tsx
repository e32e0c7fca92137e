import AccountCircleIcon from '@mui/icons-material/AccountCircle';
import AccountTreeIcon from '@mui/icons-material/AccountTree';
import ApartmentIcon from '@mui/icons-material/Apartment';
import ChatIcon from '@mui/icons-material/Chat';
import DescriptionIcon from '@mui/icons-material/Description';
import ForumIcon from '@mui/icons-material/Forum';
import GroupsIcon from '@mui/icons-material/Groups';
import HistoryIcon from '@mui/icons-material/History';
import HubIcon from '@mui/icons-material/Hub';
import InsightsIcon from '@mui/icons-material/Insights';
import LogoutIcon from '@mui/icons-material/Logout';
import ManageAccountsIcon from '@mui/icons-material/ManageAccounts';
import MenuIcon from '@mui/icons-material/Menu';
import NewReleasesIcon from '@mui/icons-material/NewReleases';
import SettingsIcon from '@mui/icons-material/Settings';
import ShortTextIcon from '@mui/icons-material/ShortText';
import TextFieldsIcon from '@mui/icons-material/TextFields';
import VpnKeyIcon from '@mui/icons-material/VpnKey';
import {
  AppBar,
  Box,
  Button,
  Chip,
  Drawer,
  IconButton,
  List,
  ListItem,
  ListItemButton,
  ListItemIcon,
  ListItemText,
  Toolbar,
  Tooltip,
  Typography,
  useMediaQuery,
} from '@mui/material';
import { useTheme } from '@mui/material/styles';
import { type ReactNode, Suspense, useState } from 'react';
import { NavLink, Outlet, useLocation, useNavigate, useNavigation } from 'react-router-dom';
import { Loading, TopProgress } from '@/components/loading';
import { visuallyHidden } from '@/components/visually-hidden';
import { BudgetBanner } from '@/features/businesses/components/budget-banner';
import { BusinessSwitcher } from '@/features/businesses/components/business-switcher';
import { DraftIndicator } from '@/features/releases/components/draft-indicator';
import { can, type Permission } from '@/lib/auth/permissions';
import { useSession } from '@/lib/auth/session';
import { LiveConnection } from '@/lib/live/live-connection';
import { paths } from '@/lib/paths';
import { useRuntime } from '@/lib/runtime';
import { MAIN_ID, SkipLink } from './skip-link';

const DRAWER_WIDTH = 220;

interface NavItem {
  to: string;
  label: string;
  icon: ReactNode;
  adminOnly?: boolean;
  /** Hidden when the role in the business on screen may not do this. */
  permission?: Permission;
  /** Only for a team account (not a key). */
  accountOnly?: boolean;
}

const NAV: NavItem[] = [
  { to: paths.conversations(), label: 'Conversations', icon: <ForumIcon /> },
  { to: paths.analytics(), label: 'Analytics', icon: <InsightsIcon /> },
  { to: paths.simulator(), label: 'Simulator', icon: <ChatIcon />, permission: 'messages.send' },
  { to: paths.stages(), label: 'Stages', icon: <AccountTreeIcon /> },
  { to: paths.templates(), label: 'Templates', icon: <DescriptionIcon /> },
  { to: paths.fields(), label: 'Fields', icon: <TextFieldsIcon /> },
  { to: paths.releases(), label: 'Releases', icon: <NewReleasesIcon /> },
  { to: paths.agents(), label: 'Agents', icon: <GroupsIcon /> },
  { to: paths.channels(), label: 'Channels', icon: <HubIcon />, permission: 'channels.manage' },
  { to: paths.settings(), label: 'Settings', icon: <SettingsIcon /> },
  { to: paths.cannedReplies(), label: 'Canned replies', icon: <ShortTextIcon /> },
  { to: paths.auditLog(), label: 'Audit log', icon: <HistoryIcon />, permission: 'audit.read' },
  { to: paths.members(), label: 'Members', icon: <ManageAccountsIcon />, permission: 'members.manage' },
  { to: paths.apiKeys(), label: 'API keys', icon: <VpnKeyIcon />, permission: 'keys.manage' },
  { to: paths.account(), label: 'Account', icon: <AccountCircleIcon />, accountOnly: true },
  { to: paths.businesses(), label: 'Businesses', icon: <ApartmentIcon />, adminOnly: true },
];

export function AppShell() {
  const theme = useTheme();
  const wide = useMediaQuery(theme.breakpoints.up('md'), { noSsr: true });
  const [mobileOpen, setMobileOpen] = useState(false);
  const { me, user, standing, isAdmin, signOut } = useSession();
  const navigation = useNavigation();
  const navigate = useNavigate();
  const location = useLocation();
  const runtime = useRuntime();

  const items = NAV.filter(
    (n) =>
      (!n.adminOnly || isAdmin) &&
      (!n.accountOnly || !!user) &&
      (!n.permission || can(standing, n.permission).allowed),
  );
  const drawer = (
    <Box component="nav" aria-label="Main">
      <Toolbar sx={{ px: 2 }}>
        <Typography variant="h6" component="div" sx={{ fontWeight: 700, letterSpacing: 0.5 }}>
          ICMP
        </Typography>
      </Toolbar>
      <List>
        {items.map((item) => (
          <ListItem key={item.to} disablePadding>
            <ListItemButton
              component={NavLink}
              to={item.to}
              selected={location.pathname.startsWith(item.to)}
              onClick={() => setMobileOpen(false)}
            >
              <ListItemIcon sx={{ minWidth: 40 }}>{item.icon}</ListItemIcon>
              <ListItemText primary={item.label} />
            </ListItemButton>
          </ListItem>
        ))}
      </List>
    </Box>
  );

  async function handleSignOut() {
    await signOut();
    navigate(paths.signIn(), { replace: true });
  }

  return (
    <Box sx={{ display: 'flex', minHeight: '100vh' }}>
      <SkipLink />
      <AppBar
        position="fixed"
        color="default"
        sx={{
          width: { md: `calc(100% - ${DRAWER_WIDTH}px)` },
          ml: { md: `${DRAWER_WIDTH}px` },
          borderBottom: 1,
          borderColor: 'divider',
          bgcolor: 'background.paper',
        }}
      >
        <Toolbar sx={{ gap: 1.5 }}>
          {!wide && (
            <IconButton edge="start" aria-label="Open navigation" onClick={() => setMobileOpen(true)}>
              <MenuIcon />
            </IconButton>
          )}
          {isAdmin && <Chip label="Admin" color="primary" size="small" />}
          {me?.role === 'business' ? (
            <Typography noWrap sx={{ fontWeight: 600 }}>
              {me.business_name ?? me.business_id}
            </Typography>
          ) : (
            <BusinessSwitcher />
          )}
          <Box sx={{ flexGrow: 1 }} />
          <DraftIndicator />
          {runtime.data && (
            // describeChild: the tooltip describes the chip (aria-label on its plain <div> is not
            // announced reliably); the model is also in the chip's text for screen readers.
            <Tooltip
              describeChild
              title={runtime.data.model ? `Model: ${runtime.data.model}` : 'No LLM configured'}
            >
              <Chip
                size="small"
                variant="outlined"
                color={runtime.data.llm_mode === 'offline' ? 'warning' : 'default'}
                label={
                  <>
                    {runtime.data.llm_mode === 'offline' ? 'Offline engine' : runtime.data.llm_mode}
                    {runtime.data.model && (
                      <Box component="span" sx={visuallyHidden}>
                        {`, model ${runtime.data.model}`}
                      </Box>
                    )}
                  </>
                }
                sx={{ display: { xs: 'none', sm: 'inline-flex' } }}
              />
            </Tooltip>
          )}
          {user && (
            <Typography
              variant="body2"
              noWrap
              sx={{ display: { xs: 'none', lg: 'block' }, maxWidth: 200 }}
              title={user.email}
            >
              {user.name}
            </Typography>
          )}
          <Button
            onClick={handleSignOut}
            startIcon={<LogoutIcon />}
            color="inherit"
            aria-label="Sign out"
            sx={{ minWidth: 0, flexShrink: 0 }}
          >
            <Box component="span" sx={{ display: { xs: 'none', sm: 'inline' } }}>
              Sign out
            </Box>
          </Button>
        </Toolbar>
      </AppBar>
      <Box component="div" sx={{ width: { md: DRAWER_WIDTH }, flexShrink: { md: 0 } }}>
        {wide ? (
          <Drawer
            variant="permanent"
            open
            sx={{ '& .MuiDrawer-paper': { width: DRAWER_WIDTH, boxSizing: 'border-box' } }}
          >
            {drawer}
          </Drawer>
        ) : (
          <Drawer
            variant="temporary"
            open={mobileOpen}
            onClose={() => setMobileOpen(false)}
            ModalProps={{ keepMounted: true }}
            sx={{ '& .MuiDrawer-paper': { width: DRAWER_WIDTH } }}
          >
            {drawer}
          </Drawer>
        )}
      </Box>
      <Box
        component="main"
        id={MAIN_ID}
        tabIndex={-1}
        sx={{
          flexGrow: 1,
          minWidth: 0,
          width: { md: `calc(100% - ${DRAWER_WIDTH}px)` },
          '&:focus': { outline: 'none' },
        }}
      >
        <Toolbar />
        <TopProgress active={navigation.state === 'loading'} />
        {/* The live inbox's one event stream for this dashboard (renders nothing). */}
        <LiveConnection />
        <Box sx={{ p: { xs: 1.5, sm: 3 }, maxWidth: 1400, mx: 'auto' }}>
          <BudgetBanner />
          <Suspense fallback={<Loading />}>
            <Outlet />
          </Suspense>
        </Box>
      </Box>
    </Box>
  );
}
