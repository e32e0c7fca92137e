export { CannedRepliesPage as CannedRepliesRoute } from '@/features/conversations/components/canned-replies-page';
