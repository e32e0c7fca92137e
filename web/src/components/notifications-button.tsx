import NotificationsActiveIcon from '@mui/icons-material/NotificationsActive';
import NotificationsOffIcon from '@mui/icons-material/NotificationsOff';
import { Button, Tooltip } from '@mui/material';
import { useNotificationPermission } from '@/lib/live/notifications';

/** Asks for browser notifications when clicked (never on load); says so when they are on or blocked. */
export function NotificationsButton() {
  const { permission, request } = useNotificationPermission();
  if (permission === 'unsupported' || permission === 'granted') return null;
  if (permission === 'denied')
    return (
      <Tooltip title="Notifications are blocked for this site in the browser's settings.">
        <span>
          <Button size="small" disabled startIcon={<NotificationsOffIcon />}>
            Notifications blocked
          </Button>
        </span>
      </Tooltip>
    );
  return (
    <Button size="small" startIcon={<NotificationsActiveIcon />} onClick={() => void request()}>
      Enable notifications
    </Button>
  );
}
