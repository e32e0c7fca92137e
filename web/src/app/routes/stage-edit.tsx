export {
  StageCreatePage as StageCreateRoute,
  StageEditPage as StageEditRoute,
} from '@/features/stages/components/stage-edit-page';
