export { StagesPage as StagesRoute } from '@/features/stages/components/stages-page';
