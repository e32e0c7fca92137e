export { SettingsPage as SettingsRoute } from '@/features/businesses/components/settings-page';
