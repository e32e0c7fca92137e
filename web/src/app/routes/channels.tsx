export { ChannelsPage as ChannelsRoute } from '@/features/channels/components/channels-page';
