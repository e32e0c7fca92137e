export { ForgotPasswordPage as ForgotPasswordRoute } from '@/features/auth/components/forgot-password-page';
export { InvitationPage as InvitationRoute } from '@/features/auth/components/invitation-page';
export { ResetPasswordPage as ResetPasswordRoute } from '@/features/auth/components/reset-password-page';
