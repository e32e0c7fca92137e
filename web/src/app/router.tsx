import { createBrowserRouter, Navigate, type RouteObject } from 'react-router-dom';
import { Loading } from '@/components/loading';
import { SignInPage } from '@/features/auth/components/sign-in-page';
import { paths, routes } from '@/lib/paths';
import { AppShell } from './app-shell';
import { RequireAdmin, RequireAuth } from './require-auth';
import { NotFoundPage, RouteError } from './route-error';

/**
 * Only the sign-in page and the shell are in the first bundle; every page behind them is a lazy
 * route (its own chunk, fetched on first visit).
 */
export const appRoutes: RouteObject[] = [
  {
    path: routes.signIn,
    element: <SignInPage />,
    errorElement: <RouteError />,
    hydrateFallbackElement: <Loading />,
  },
  {
    path: routes.forgotPassword,
    lazy: () => import('./routes/public-auth').then((m) => ({ Component: m.ForgotPasswordRoute })),
    errorElement: <RouteError />,
    hydrateFallbackElement: <Loading />,
  },
  {
    path: routes.resetPassword,
    lazy: () => import('./routes/public-auth').then((m) => ({ Component: m.ResetPasswordRoute })),
    errorElement: <RouteError />,
    hydrateFallbackElement: <Loading />,
  },
  {
    // A visitor with or without a session: the page offers what fits.
    path: routes.invitation,
    lazy: () => import('./routes/public-auth').then((m) => ({ Component: m.InvitationRoute })),
    errorElement: <RouteError />,
    hydrateFallbackElement: <Loading />,
  },
  {
    element: <RequireAuth />,
    errorElement: <RouteError />,
    hydrateFallbackElement: <Loading />,
    children: [
      {
        element: <AppShell />,
        children: [
          {
            errorElement: <RouteError />,
            children: [
              { index: true, element: <Navigate to={paths.conversations()} replace /> },
              {
                // The inbox: one page for the list and an open conversation (the list stays beside it).
                path: routes.conversations,
                lazy: () =>
                  import('./routes/conversations').then((m) => ({ Component: m.ConversationsRoute })),
                children: [{ path: routes.conversationChild, element: null }],
              },
              {
                path: routes.analytics,
                lazy: () => import('./routes/analytics').then((m) => ({ Component: m.AnalyticsRoute })),
              },
              {
                path: routes.simulator,
                lazy: () => import('./routes/simulator').then((m) => ({ Component: m.SimulatorRoute })),
              },
              {
                path: routes.stages,
                lazy: () => import('./routes/stages').then((m) => ({ Component: m.StagesRoute })),
              },
              {
                path: routes.stageFlow,
                lazy: () => import('./routes/stage-flow').then((m) => ({ Component: m.StageFlowRoute })),
              },
              {
                path: routes.stageNew,
                lazy: () => import('./routes/stage-edit').then((m) => ({ Component: m.StageCreateRoute })),
              },
              {
                path: routes.stage,
                lazy: () => import('./routes/stage').then((m) => ({ Component: m.StageRoute })),
              },
              {
                path: routes.stageEdit,
                lazy: () => import('./routes/stage-edit').then((m) => ({ Component: m.StageEditRoute })),
              },
              {
                path: routes.templates,
                lazy: () => import('./routes/templates').then((m) => ({ Component: m.TemplatesRoute })),
              },
              {
                path: routes.templateNew,
                lazy: () =>
                  import('./routes/template-edit').then((m) => ({ Component: m.TemplateCreateRoute })),
              },
              {
                path: routes.template,
                lazy: () =>
                  import('./routes/template-edit').then((m) => ({ Component: m.TemplateEditRoute })),
              },
              {
                path: routes.agents,
                lazy: () => import('./routes/agents').then((m) => ({ Component: m.AgentsRoute })),
              },
              {
                path: routes.channels,
                lazy: () => import('./routes/channels').then((m) => ({ Component: m.ChannelsRoute })),
              },
              {
                path: routes.settings,
                lazy: () => import('./routes/settings').then((m) => ({ Component: m.SettingsRoute })),
              },
              {
                path: routes.fields,
                lazy: () => import('./routes/fields').then((m) => ({ Component: m.FieldsRoute })),
              },
              {
                path: routes.cannedReplies,
                lazy: () =>
                  import('./routes/canned-replies').then((m) => ({ Component: m.CannedRepliesRoute })),
              },
              {
                path: routes.releases,
                lazy: () => import('./routes/releases').then((m) => ({ Component: m.ReleasesRoute })),
              },
              {
                path: routes.auditLog,
                lazy: () => import('./routes/audit-log').then((m) => ({ Component: m.AuditLogRoute })),
              },
              {
                path: routes.members,
                lazy: () => import('./routes/members').then((m) => ({ Component: m.MembersRoute })),
              },
              {
                path: routes.apiKeys,
                lazy: () => import('./routes/api-keys').then((m) => ({ Component: m.ApiKeysRoute })),
              },
              {
                path: routes.account,
                lazy: () => import('./routes/account').then((m) => ({ Component: m.AccountRoute })),
              },
              {
                element: <RequireAdmin />,
                children: [
                  {
                    path: routes.businesses,
                    lazy: () => import('./routes/businesses').then((m) => ({ Component: m.BusinessesRoute })),
                  },
                ],
              },
              { path: '*', element: <NotFoundPage /> },
            ],
          },
        ],
      },
    ],
  },
];

export function createAppRouter() {
  return createBrowserRouter(appRoutes);
}
