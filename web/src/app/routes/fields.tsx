export { FieldsPage as FieldsRoute } from '@/features/fields/components/fields-page';
