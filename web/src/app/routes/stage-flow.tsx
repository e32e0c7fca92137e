export { StageFlowPage as StageFlowRoute } from '@/features/stages/components/stage-flow-page';
