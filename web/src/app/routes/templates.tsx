export { TemplatesPage as TemplatesRoute } from '@/features/templates/components/templates-page';
