import ApiIcon from '@mui/icons-material/Api';
import FacebookIcon from '@mui/icons-material/Facebook';
import LanguageIcon from '@mui/icons-material/Language';
import ScienceIcon from '@mui/icons-material/Science';
import WhatsAppIcon from '@mui/icons-material/WhatsApp';
import type { SvgIconProps } from '@mui/material';
import type { ComponentType } from 'react';

const CHANNELS: Record<string, { label: string; Icon: ComponentType<SvgIconProps>; color: string }> = {
  whatsapp: { label: 'WhatsApp', Icon: WhatsAppIcon, color: '#128c4b' },
  messenger: { label: 'Messenger', Icon: FacebookIcon, color: '#0866ff' },
  web: { label: 'Website', Icon: LanguageIcon, color: '#5c6bc0' },
  api: { label: 'API', Icon: ApiIcon, color: '#616161' },
  simulator: { label: 'Simulator', Icon: ScienceIcon, color: '#8d6e63' },
};

export function channelLabel(channel: string): string {
  return CHANNELS[channel]?.label ?? channel;
}

/** A channel as a small icon whose accessible name is the channel ("WhatsApp"). */
export function ChannelIcon({
  channel,
  fontSize = 'small',
}: {
  channel: string;
  fontSize?: SvgIconProps['fontSize'];
}) {
  const known = CHANNELS[channel];
  const Icon = known?.Icon ?? ApiIcon;
  return (
    <Icon
      fontSize={fontSize}
      titleAccess={known?.label ?? channel}
      sx={{ color: known?.color ?? 'text.secondary' }}
    />
  );
}
