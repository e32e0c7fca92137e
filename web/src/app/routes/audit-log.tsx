export { AuditLogPage as AuditLogRoute } from '@/features/audit/components/audit-log-page';
