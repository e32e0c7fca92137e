export { ConversationsPage as ConversationsRoute } from '@/features/conversations/components/conversations-page';
