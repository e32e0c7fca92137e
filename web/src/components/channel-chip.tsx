import ApiIcon from '@mui/icons-material/Api';
import FacebookIcon from '@mui/icons-material/Facebook';
import LanguageIcon from '@mui/icons-material/Language';
import ScienceIcon from '@mui/icons-material/Science';
import WhatsAppIcon from '@mui/icons-material/WhatsApp';
import { Chip } from '@mui/material';
import type { ReactElement } from 'react';

const CHANNELS: Record<string, { label: string; icon: ReactElement }> = {
  whatsapp: { label: 'WhatsApp', icon: <WhatsAppIcon /> },
  messenger: { label: 'Messenger', icon: <FacebookIcon /> },
  web: { label: 'Website', icon: <LanguageIcon /> },
  api: { label: 'API', icon: <ApiIcon /> },
  simulator: { label: 'Simulator', icon: <ScienceIcon /> },
};

/** Where a conversation happens, with its icon (the label is always there for screen readers). */
export function ChannelChip({ channel }: { channel: string }) {
  const known = CHANNELS[channel];
  return (
    <Chip
      size="small"
      variant="outlined"
      icon={known?.icon}
      label={known?.label ?? channel}
      title={`Channel: ${known?.label ?? channel}`}
    />
  );
}
