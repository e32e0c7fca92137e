import { createBrowserRouter, Navigate, type RouteObject } from 'react-router-dom';
import { Loading } from '@/components/loading';
import { SignInPage } from '@/features/auth/components/sign-in-page';
import { AppShell } from './app-shell';
import { RequireAdmin, RequireAuth } from './require-auth';
import { NotFoundPage, RouteError } from './route-error';

/**
 * Only the sign-in page and the shell are in the first bundle; every page behind them is a lazy
 * route (its own chunk, fetched on first visit).
 */
export const routes: RouteObject[] = [
  {
    path: '/sign-in',
    element: <SignInPage />,
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
              { index: true, element: <Navigate to="/conversations" replace /> },
              {
                path: 'conversations',
                lazy: () =>
                  import('./routes/conversations').then((m) => ({ Component: m.ConversationsRoute })),
              },
              {
                path: 'conversations/:conversationId',
                lazy: () => import('./routes/conversation').then((m) => ({ Component: m.ConversationRoute })),
              },
              {
                path: 'analytics',
                lazy: () => import('./routes/analytics').then((m) => ({ Component: m.AnalyticsRoute })),
              },
              {
                path: 'simulator',
                lazy: () => import('./routes/simulator').then((m) => ({ Component: m.SimulatorRoute })),
              },
              {
                path: 'stages',
                lazy: () => import('./routes/stages').then((m) => ({ Component: m.StagesRoute })),
              },
              {
                path: 'stages/flow',
                lazy: () => import('./routes/stage-flow').then((m) => ({ Component: m.StageFlowRoute })),
              },
              {
                path: 'stages/new',
                lazy: () => import('./routes/stage-edit').then((m) => ({ Component: m.StageCreateRoute })),
              },
              {
                path: 'stages/:stageId',
                lazy: () => import('./routes/stage').then((m) => ({ Component: m.StageRoute })),
              },
              {
                path: 'stages/:stageId/edit',
                lazy: () => import('./routes/stage-edit').then((m) => ({ Component: m.StageEditRoute })),
              },
              {
                path: 'templates',
                lazy: () => import('./routes/templates').then((m) => ({ Component: m.TemplatesRoute })),
              },
              {
                path: 'templates/new',
                lazy: () =>
                  import('./routes/template-edit').then((m) => ({ Component: m.TemplateCreateRoute })),
              },
              {
                path: 'templates/:templateId',
                lazy: () =>
                  import('./routes/template-edit').then((m) => ({ Component: m.TemplateEditRoute })),
              },
              {
                path: 'agents',
                lazy: () => import('./routes/agents').then((m) => ({ Component: m.AgentsRoute })),
              },
              {
                path: 'channels',
                lazy: () => import('./routes/channels').then((m) => ({ Component: m.ChannelsRoute })),
              },
              {
                path: 'settings',
                lazy: () => import('./routes/settings').then((m) => ({ Component: m.SettingsRoute })),
              },
              {
                element: <RequireAdmin />,
                children: [
                  {
                    path: 'businesses',
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
  return createBrowserRouter(routes);
}
