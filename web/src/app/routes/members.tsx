export { MembersPage as MembersRoute } from '@/features/team/components/members-page';
