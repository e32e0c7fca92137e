export { SimulatorPage as SimulatorRoute } from '@/features/simulator/components/simulator-page';
