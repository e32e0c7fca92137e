export { BusinessesPage as BusinessesRoute } from '@/features/businesses/components/businesses-page';
