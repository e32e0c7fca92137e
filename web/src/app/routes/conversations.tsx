export { InboxPage as ConversationsRoute } from '@/features/conversations/components/inbox-page';
