export { ConversationPage as ConversationRoute } from '@/features/conversations/components/conversation-page';
