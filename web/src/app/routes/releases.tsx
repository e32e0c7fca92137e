export { ReleasesPage as ReleasesRoute } from '@/features/releases/components/releases-page';
