/** @module The app shell: decides setup / login / signed-in from the API, follows the hash route, draws the frame. */
import type { ComponentChildren } from 'preact';
import { useCallback, useEffect, useRef, useState } from 'preact/hooks';
import { ApiError, expectOk, messageOf, type GatehouseClient, type SessionInfo } from './api.js';
import { ErrorNotice, Loading } from './components/ui.js';
import { useAction } from './hooks.js';
import { navigationOf, type PageComponent, type PageDefinition, type PageProps } from './page.js';
import { AlertBanner } from './pages/alerts/banner.js';
import { homePage, pages, type PageId } from './pages/index.js';
import { LoginPage } from './pages/login.js';
import { SetupPage } from './pages/setup.js';
import { hrefOf, isAuthRoute, navigate, parseRoute, useRoute, type Route } from './router.js';

type AuthState =
  | { readonly kind: 'loading' }
  | { readonly kind: 'unreachable'; readonly message: string }
  | { readonly kind: 'setup' }
  /** `returnTo`: where a visitor was headed when the login got in the way (a bookmark, an expired session). */
  | { readonly kind: 'login'; readonly notice?: string; readonly returnTo?: PageId }
  | { readonly kind: 'ready'; readonly session: SessionInfo };

/** Which screen the API state calls for: setup and login routes only make sense in their states. */
function screenFor(auth: AuthState, route: Route): Route | undefined {
  switch (auth.kind) {
    case 'setup':
      return 'setup';
    case 'login':
      return 'login';
    case 'ready':
      return isAuthRoute(route) ? homePage : route;
    case 'loading':
    case 'unreachable':
      return undefined;
  }
}

function currentPageRoute(): PageId {
  const route = parseRoute(window.location.hash);
  return isAuthRoute(route) ? homePage : route;
}

export function App(props: { readonly client: GatehouseClient }) {
  const { client } = props;
  const [auth, setAuth] = useState<AuthState>({ kind: 'loading' });
  const [instanceName, setInstanceName] = useState<string | undefined>(undefined);
  const route = useRoute();

  const signIn = useCallback(
    (session: SessionInfo) => {
      client.useSession(session);
      setAuth({ kind: 'ready', session });
    },
    [client],
  );

  const signOut = useCallback(
    (notice?: string) => {
      client.useSession(undefined);
      setAuth(notice === undefined ? { kind: 'login' } : { kind: 'login', notice });
    },
    [client],
  );

  const boot = useCallback(async () => {
    try {
      const { needsSetup } = await expectOk(client.api.setup.$get());
      if (needsSetup) {
        setAuth({ kind: 'setup' });
        return;
      }
      try {
        signIn(await expectOk(client.api.auth.session.$get()));
      } catch (e) {
        if (e instanceof ApiError && (e.status === 401 || e.status === 403)) {
          setAuth({ kind: 'login', returnTo: currentPageRoute() });
        } else throw e;
      }
    } catch (e) {
      setAuth({ kind: 'unreachable', message: messageOf(e) });
    }
  }, [client, signIn]);

  useEffect(() => {
    void boot();
  }, [boot]);

  useEffect(() => {
    client.onSessionLost(() => {
      client.useSession(undefined);
      setAuth((a) =>
        a.kind === 'ready'
          ? {
              kind: 'login',
              notice: 'Your session has ended. Please log in again.',
              returnTo: currentPageRoute(),
            }
          : a,
      );
    });
    return () => {
      client.onSessionLost(undefined);
    };
  }, [client]);

  const screen = screenFor(auth, route);
  useEffect(() => {
    if (screen === undefined || screen === route) return;
    navigate(screen, { replace: true });
  }, [screen, route]);

  useEffect(() => {
    if (auth.kind !== 'ready') return;
    let current = true;
    expectOk(client.api.settings.$get()).then(
      (s) => {
        if (current) setInstanceName(s.instanceName);
      },
      () => {
        // The header falls back to "Gatehouse"; the page itself reports real problems.
      },
    );
    return () => {
      current = false;
    };
  }, [auth.kind, client]);

  const pageLabel = pages.find((p) => p.id === screen)?.title;
  useEffect(() => {
    const site = instanceName ?? 'Gatehouse';
    const label = screen === 'setup' ? 'Set up' : screen === 'login' ? 'Log in' : pageLabel;
    document.title = label === undefined ? site : `${label} · ${site}`;
  }, [instanceName, screen, pageLabel]);

  switch (auth.kind) {
    case 'loading':
      return (
        <main class="auth" id="main">
          <Loading what="Gatehouse" />
        </main>
      );
    case 'unreachable':
      return (
        <main class="auth" id="main">
          <div class="auth__box">
            <h1>Cannot load Gatehouse</h1>
            <ErrorNotice message={auth.message} />
            <button
              type="button"
              class="button button--primary"
              onClick={() => {
                setAuth({ kind: 'loading' });
                void boot();
              }}
            >
              Try again
            </button>
          </div>
        </main>
      );
    case 'setup':
      return <SetupPage client={client} onDone={signIn} />;
    case 'login':
      return (
        <LoginPage
          client={client}
          notice={auth.notice}
          onDone={(session) => {
            signIn(session);
            navigate(auth.returnTo ?? homePage, { replace: true });
          }}
        />
      );
    case 'ready': {
      const id: PageId = screen === undefined || isAuthRoute(screen) ? homePage : screen;
      const page = pages.find((p) => p.id === id) ?? pages[0];
      return (
        <Frame
          client={client}
          route={page.id}
          username={auth.session.username}
          instanceName={instanceName ?? 'Gatehouse'}
          onLoggedOut={signOut}
        >
          <PageView
            page={page}
            props={{
              client,
              session: auth.session,
              refreshSession: async () => {
                signIn(await expectOk(client.api.auth.session.$get()));
              },
              onLoggedOut: signOut,
              onInstanceName: setInstanceName,
            }}
          />
        </Frame>
      );
    }
  }
}

/**
 * Draws a page, fetching its code on the first visit. Loaded components are kept for the life of the frame,
 * so going back to a page draws it at once.
 */
function PageView(props: { readonly page: PageDefinition; readonly props: PageProps }) {
  const { page } = props;
  const loaded = useRef(new Map<string, PageComponent>());
  const [failed, setFailed] = useState<string | undefined>(undefined);
  const [, setLoadedCount] = useState(0);
  const Component = loaded.current.get(page.id);
  useEffect(() => {
    if (loaded.current.has(page.id)) return;
    let current = true;
    setFailed(undefined);
    page.load().then(
      (component) => {
        loaded.current.set(page.id, component);
        if (current) setLoadedCount((n) => n + 1);
      },
      () => {
        // A chunk goes missing when the server was updated while this tab stayed open.
        if (current) setFailed(page.id);
      },
    );
    return () => {
      current = false;
    };
  }, [page]);
  if (Component !== undefined) return <Component {...props.props} />;
  if (failed === page.id) {
    return (
      <ErrorNotice message="Cannot load this page; Gatehouse may have been updated. Reload the page to try again." />
    );
  }
  return <Loading what={page.title} />;
}

function Frame(props: {
  readonly client: GatehouseClient;
  readonly route: PageId;
  readonly username: string;
  readonly instanceName: string;
  readonly onLoggedOut: (notice?: string) => void;
  readonly children: ComponentChildren;
}) {
  const logout = useAction();
  const mainRef = useRef<HTMLElement>(null);
  // After navigating, move focus to the page so keyboard and screen-reader users start at its top.
  const firstRender = useRef(true);
  useEffect(() => {
    if (firstRender.current) {
      firstRender.current = false;
      return;
    }
    window.scrollTo(0, 0);
    mainRef.current?.focus({ preventScroll: true });
  }, [props.route]);
  return (
    <div class="frame">
      <a
        class="skip-link"
        href="#main"
        onClick={(e) => {
          e.preventDefault();
          mainRef.current?.focus();
        }}
      >
        Skip to content
      </a>
      <header class="topbar">
        <div class="topbar__inner">
          <a class="brand" href={hrefOf(homePage)} data-testid="instance-name">
            <span class="brand__mark" aria-hidden="true" />
            {props.instanceName}
          </a>
          <nav class="nav" aria-label="Main">
            {navigationOf(pages).map((p) => (
              <a
                key={p.id}
                href={hrefOf(p.id)}
                class="nav__link"
                aria-current={props.route === p.id ? 'page' : undefined}
              >
                {p.navLabel}
              </a>
            ))}
          </nav>
          <div class="topbar__user">
            <span class="muted user" title="Logged in as">
              {props.username}
            </span>
            <button
              type="button"
              class="button button--secondary button--small"
              disabled={logout.busy}
              onClick={() => {
                void logout
                  .run(async () => {
                    await expectOk(props.client.api.auth.logout.$post());
                  })
                  .then((ok) => {
                    if (ok) props.onLoggedOut('You are logged out.');
                  });
              }}
            >
              Log out
            </button>
          </div>
        </div>
      </header>
      <main class="content" id="main" tabIndex={-1} ref={mainRef}>
        <AlertBanner client={props.client} href={hrefOf('alerts')} />
        <ErrorNotice message={logout.error} />
        {props.children}
      </main>
      <footer class="footer muted">Gatehouse · self-hosted remote access</footer>
    </div>
  );
}
