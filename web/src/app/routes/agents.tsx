export { AgentsPage as AgentsRoute } from '@/features/agents/components/agents-page';
