export {
  TemplateCreatePage as TemplateCreateRoute,
  TemplateEditPage as TemplateEditRoute,
} from '@/features/templates/components/template-edit-page';
