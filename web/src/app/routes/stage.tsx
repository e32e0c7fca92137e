export { StageDetailPage as StageRoute } from '@/features/stages/components/stage-detail-page';
