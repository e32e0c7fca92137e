export { AnalyticsPage as AnalyticsRoute } from '@/features/analytics/components/analytics-page';
