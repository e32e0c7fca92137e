export { ApiKeysPage as ApiKeysRoute } from '@/features/team/components/api-keys-page';
