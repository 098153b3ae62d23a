/** @module Security: two-factor authentication, recovery codes, password, sessions and the instance name. */
import { useCallback, useEffect, useMemo, useState } from 'preact/hooks';
import { expectOk, fieldProblem, type GatehouseClient, type OkBody, type SessionInfo } from '../api.js';
import { DataTable } from '../components/table.js';
import {
  ActionButton,
  ConfirmButton,
  CopyButton,
  ErrorNotice,
  Field,
  Loading,
  Notice,
  PageTitle,
  Panel,
  SubmitButton,
} from '../components/ui.js';
import { describeUserAgent, formatDateTime, formatRelative, svgDataUrl } from '../format.js';
import { useAction, useLoad } from '../hooks.js';
import { minPasswordLength, passwordProblem } from '../passwords.js';
import { recoveryCodesText } from '../recovery-codes.js';

type Api = GatehouseClient['api'];
type Enrolment = OkBody<Awaited<ReturnType<Api['auth']['totp']['enrol']['$post']>>>;

export function SecurityPage(props: {
  readonly client: GatehouseClient;
  readonly session: SessionInfo;
  /** Re-reads the session after a change to two-factor authentication. */
  readonly refreshSession: () => Promise<void>;
  readonly onLoggedOut: (notice: string) => void;
  readonly onInstanceName: (name: string) => void;
}) {
  const [sessionsVersion, setSessionsVersion] = useState(0);
  return (
    <>
      <PageTitle title="Security" />
      <TwoFactorPanel
        client={props.client}
        username={props.session.username}
        enabled={props.session.totpEnabled}
        refreshSession={props.refreshSession}
      />
      <PasswordPanel
        client={props.client}
        onChanged={() => {
          setSessionsVersion((v) => v + 1);
        }}
      />
      <SessionsPanel client={props.client} version={sessionsVersion} onLoggedOut={props.onLoggedOut} />
      <InstancePanel client={props.client} onInstanceName={props.onInstanceName} />
    </>
  );
}

type TwoFactorState =
  | { readonly kind: 'idle' }
  | { readonly kind: 'enrolling'; readonly enrolment: Enrolment }
  | { readonly kind: 'codes'; readonly codes: readonly string[] };

function TwoFactorPanel(props: {
  readonly client: GatehouseClient;
  readonly username: string;
  readonly enabled: boolean;
  readonly refreshSession: () => Promise<void>;
}) {
  const { api } = props.client;
  const [state, setState] = useState<TwoFactorState>({ kind: 'idle' });
  const [flash, setFlash] = useState<string | undefined>(undefined);
  const action = useAction();

  const begin = () => {
    setFlash(undefined);
    void action.run(async () => {
      const enrolment = await expectOk(api.auth.totp.enrol.$post());
      setState({ kind: 'enrolling', enrolment });
    });
  };

  const body = (() => {
    switch (state.kind) {
      case 'codes':
        return (
          <RecoveryCodes
            codes={state.codes}
            username={props.username}
            onSaved={() => {
              void action.run(async () => {
                await props.refreshSession();
                setState({ kind: 'idle' });
                setFlash('Two-factor authentication is on.');
              });
            }}
          />
        );
      case 'enrolling':
        return (
          <EnrolForm
            client={props.client}
            enrolment={state.enrolment}
            onConfirmed={(codes) => {
              setState({ kind: 'codes', codes });
            }}
            onCancel={() => {
              setState({ kind: 'idle' });
            }}
          />
        );
      case 'idle':
        return props.enabled ? (
          <TwoFactorOn
            client={props.client}
            onNewCodes={(codes) => {
              setFlash(undefined);
              setState({ kind: 'codes', codes });
            }}
            onDisabled={async () => {
              await props.refreshSession();
              setFlash('Two-factor authentication is off.');
            }}
          />
        ) : (
          <>
            <Notice kind="warning">
              Two-factor authentication is off: your password alone protects access to your network.
            </Notice>
            <p>
              With it on, logging in also needs a 6-digit code from an authenticator app on your phone (such
              as Aegis, Google Authenticator or 1Password).
            </p>
            <ErrorNotice message={action.error} />
            <div class="row">
              <ActionButton busy={action.busy} onClick={begin}>
                Turn on two-factor authentication
              </ActionButton>
            </div>
          </>
        );
    }
  })();

  return (
    <Panel title="Two-factor authentication" testId="two-factor">
      {flash === undefined ? null : <Notice kind="success">{flash}</Notice>}
      {body}
    </Panel>
  );
}

function EnrolForm(props: {
  readonly client: GatehouseClient;
  readonly enrolment: Enrolment;
  readonly onConfirmed: (codes: readonly string[]) => void;
  readonly onCancel: () => void;
}) {
  const [code, setCode] = useState('');
  const action = useAction({ 'totp.invalid-code': 'code' });
  const submit = (e: Event) => {
    e.preventDefault();
    void action.run(async () => {
      const { recoveryCodes } = await expectOk(
        props.client.api.auth.totp.confirm.$post({ json: { code: code.replace(/\s/g, '') } }),
      );
      props.onConfirmed(recoveryCodes);
    });
  };
  return (
    <div class="enrol">
      <ol class="steps">
        <li>
          <p>Scan this QR code with your authenticator app.</p>
          <img
            class="qr"
            src={svgDataUrl(props.enrolment.qrSvg)}
            alt="QR code to add Gatehouse to an authenticator app"
            width={200}
            height={200}
          />
          <p>
            Cannot scan it? Enter this key by hand (time-based, 6 digits, 30 seconds):
            <br />
            <code class="secret" id="totp-secret" data-testid="totp-secret">
              {props.enrolment.secret}
            </code>{' '}
            <CopyButton text={props.enrolment.secret} label="Copy key" />
          </p>
          <p class="hint">
            On this phone? <a href={props.enrolment.uri}>Open in your authenticator app</a>.
          </p>
        </li>
        <li>
          <form onSubmit={submit} class="stack">
            <Field
              label="Code from the app"
              value={code}
              onValue={setCode}
              required
              inputMode="numeric"
              pattern="\s*(\d\s*){6}"
              maxLength={9}
              autocomplete="one-time-code"
              hint="Enter the 6-digit code the app shows now, to prove it is set up."
              error={action.fields.code}
            />
            <ErrorNotice message={action.errorBesides(['code'])} />
            <div class="row">
              <SubmitButton busy={action.busy}>Turn on</SubmitButton>
              <button type="button" class="button button--secondary" onClick={props.onCancel}>
                Cancel
              </button>
            </div>
          </form>
        </li>
      </ol>
    </div>
  );
}

function RecoveryCodes(props: {
  readonly codes: readonly string[];
  readonly username: string;
  readonly onSaved: () => void;
}) {
  const { codes, username } = props;
  // A blob: URL the link downloads (the CSP allows it: it is a download, not a script or a style).
  const href = useMemo(
    () =>
      URL.createObjectURL(
        new Blob([recoveryCodesText({ codes, username, site: window.location.host, madeAt: new Date() })], {
          type: 'text/plain;charset=utf-8',
        }),
      ),
    [codes, username],
  );
  useEffect(
    () => () => {
      URL.revokeObjectURL(href);
    },
    [href],
  );
  return (
    <div class="recovery">
      <Notice kind="warning">
        <strong>Save these recovery codes now.</strong> They are shown only once. Each one logs you in once if
        you lose your phone.
      </Notice>
      <ul class="codes" data-testid="recovery-codes" aria-label="Recovery codes">
        {props.codes.map((c) => (
          <li key={c}>
            <code>{c}</code>
          </li>
        ))}
      </ul>
      <div class="row">
        <a class="button button--secondary" href={href} download="gatehouse-recovery-codes.txt">
          Download as a text file
        </a>
        <CopyButton text={props.codes.join('\n')} label="Copy all" />
        <button type="button" class="button button--primary" onClick={props.onSaved}>
          I saved them
        </button>
      </div>
    </div>
  );
}

function TwoFactorOn(props: {
  readonly client: GatehouseClient;
  readonly onNewCodes: (codes: readonly string[]) => void;
  readonly onDisabled: () => Promise<void>;
}) {
  const { api } = props.client;
  const [mode, setMode] = useState<'none' | 'disable' | 'codes'>('none');
  const close = () => {
    setMode('none');
  };
  return (
    <>
      <p>
        <span class="badge badge--ok">On</span> Logging in needs a code from your authenticator app or a
        recovery code.
      </p>
      {mode === 'none' ? (
        <div class="row">
          <button
            type="button"
            class="button button--secondary"
            onClick={() => {
              setMode('codes');
            }}
          >
            New recovery codes
          </button>
          <button
            type="button"
            class="button button--danger-outline"
            onClick={() => {
              setMode('disable');
            }}
          >
            Turn off
          </button>
        </div>
      ) : null}
      {mode === 'codes' ? (
        <PasswordConfirm
          explanation="New codes replace all the old ones. Confirm with your password."
          submitLabel="Make new codes"
          variant="primary"
          onCancel={close}
          onPassword={async (password) => {
            const { recoveryCodes } = await expectOk(
              api.auth['recovery-codes'].$post({ json: { password } }),
            );
            props.onNewCodes(recoveryCodes);
          }}
        />
      ) : null}
      {mode === 'disable' ? (
        <PasswordConfirm
          explanation="Without two-factor authentication, your password alone protects access. Confirm with your password."
          submitLabel="Turn off two-factor"
          variant="danger"
          onCancel={close}
          onPassword={async (password) => {
            await expectOk(api.auth.totp.disable.$post({ json: { password } }));
            await props.onDisabled();
          }}
        />
      ) : null}
    </>
  );
}

function PasswordConfirm(props: {
  readonly explanation: string;
  readonly submitLabel: string;
  readonly variant: 'primary' | 'danger';
  readonly onPassword: (password: string) => Promise<void>;
  readonly onCancel: () => void;
}) {
  const [password, setPassword] = useState('');
  const action = useAction({ 'auth.wrong-password': 'password' });
  const submit = (e: Event) => {
    e.preventDefault();
    void action.run(() => props.onPassword(password));
  };
  return (
    <form onSubmit={submit} class="stack subform">
      <p>{props.explanation}</p>
      <Field
        label="Your password"
        type="password"
        value={password}
        onValue={setPassword}
        required
        autoFocus
        autocomplete="current-password"
        error={action.fields.password}
      />
      <ErrorNotice message={action.errorBesides(['password'])} />
      <div class="row">
        <SubmitButton busy={action.busy} variant={props.variant}>
          {props.submitLabel}
        </SubmitButton>
        <button type="button" class="button button--secondary" onClick={props.onCancel}>
          Cancel
        </button>
      </div>
    </form>
  );
}

function PasswordPanel(props: { readonly client: GatehouseClient; readonly onChanged: () => void }) {
  const [currentPassword, setCurrent] = useState('');
  const [newPassword, setNew] = useState('');
  const [confirm, setConfirm] = useState('');
  const [done, setDone] = useState(false);
  const action = useAction({ 'auth.wrong-password': 'currentPassword' });
  const submit = (e: Event) => {
    e.preventDefault();
    setDone(false);
    void action
      .run(async () => {
        const p = passwordProblem(newPassword, confirm);
        if (p !== undefined) throw fieldProblem(p.field === 'password' ? 'newPassword' : p.field, p.message);
        await expectOk(props.client.api.auth.password.$post({ json: { currentPassword, newPassword } }));
      })
      .then((ok) => {
        if (!ok) return;
        setCurrent('');
        setNew('');
        setConfirm('');
        setDone(true);
        props.onChanged();
      });
  };
  return (
    <Panel title="Password">
      <form onSubmit={submit} class="stack">
        <Field
          label="Current password"
          type="password"
          value={currentPassword}
          onValue={setCurrent}
          required
          autocomplete="current-password"
          error={action.fields.currentPassword}
        />
        <Field
          label="New password"
          type="password"
          value={newPassword}
          onValue={setNew}
          required
          minLength={minPasswordLength}
          autocomplete="new-password"
          hint={`At least ${minPasswordLength} characters. Your other sessions will be logged out.`}
          error={action.fields.newPassword}
        />
        <Field
          label="Confirm new password"
          type="password"
          value={confirm}
          onValue={setConfirm}
          required
          autocomplete="new-password"
          error={action.fields.confirmation}
        />
        <ErrorNotice message={action.errorBesides(['currentPassword', 'newPassword', 'confirmation'])} />
        {done ? <Notice kind="success">Password changed. Your other sessions were logged out.</Notice> : null}
        <div class="row">
          <SubmitButton busy={action.busy}>Change password</SubmitButton>
        </div>
      </form>
    </Panel>
  );
}

function SessionsPanel(props: {
  readonly client: GatehouseClient;
  readonly version: number;
  readonly onLoggedOut: (notice: string) => void;
}) {
  const { api } = props.client;
  const load = useCallback(() => expectOk(api.auth.sessions.$get()), [api]);
  const { result, reload } = useLoad(load);
  useEffect(() => {
    if (props.version > 0) reload();
  }, [props.version, reload]);
  const action = useAction();
  const revoking = useAction();
  const revoke = (id: string) => {
    void revoking
      .run(async () => {
        await expectOk(api.auth.sessions[':id'].$delete({ param: { id } }));
      })
      .then(() => {
        // Also when it had ended already (404): the list shows what is left.
        reload();
      });
  };
  const logoutEverywhere = () => {
    void action
      .run(async () => {
        await expectOk(api.auth['logout-everywhere'].$post());
      })
      .then((ok) => {
        if (ok) props.onLoggedOut('You were logged out everywhere, this browser included.');
      });
  };
  const now = new Date();
  return (
    <Panel
      title="Sessions"
      actions={
        <ConfirmButton
          label="Log out everywhere"
          question="End every session, this one too?"
          confirmLabel="Log out everywhere"
          busy={action.busy}
          onConfirm={logoutEverywhere}
        />
      }
    >
      <p class="muted">
        Browsers logged in to this account. End one you do not recognise, or one on a lost phone. API tokens
        are listed separately.
      </p>
      <ErrorNotice message={action.error ?? revoking.error} />
      {result.state === 'loading' ? <Loading what="sessions" /> : null}
      {result.state === 'error' ? <ErrorNotice message={result.message} /> : null}
      {result.state === 'ready' ? (
        <DataTable
          columns={['Client', 'Address', 'Logged in', 'Last seen', 'Expires']}
          actions
          cards
          testId="session-table"
          rows={result.data.sessions}
          row={(s) => {
            const client = describeUserAgent(s.userAgent);
            return (
              <tr key={s.id} data-current={s.current ? 'true' : undefined}>
                <td>
                  <span class="strong" title={s.userAgent}>
                    {client}
                  </span>
                  {s.current ? <span class="badge badge--ok badge--inline">This browser</span> : null}
                </td>
                <td data-label="Address">
                  <code>{s.clientAddress}</code>
                </td>
                <td data-label="Logged in">{formatDateTime(s.createdAt)}</td>
                <td data-label="Last seen">{formatRelative(s.lastSeenAt, now)}</td>
                <td data-label="Expires">{formatDateTime(s.expiresAt)}</td>
                <td class="actions">
                  {s.current ? (
                    <span class="muted">Use Log out at the top</span>
                  ) : (
                    <ConfirmButton
                      label="End session"
                      accessibleLabel={`End the session of ${client} from ${s.clientAddress}`}
                      question="End this session? That browser must log in again."
                      confirmLabel="End it"
                      busy={revoking.busy}
                      onConfirm={() => {
                        revoke(s.id);
                      }}
                    />
                  )}
                </td>
              </tr>
            );
          }}
        />
      ) : null}
    </Panel>
  );
}

function InstancePanel(props: {
  readonly client: GatehouseClient;
  readonly onInstanceName: (name: string) => void;
}) {
  const { api } = props.client;
  const [name, setName] = useState<string | undefined>(undefined);
  const [saved, setSaved] = useState(false);
  const load = useCallback(() => expectOk(api.settings.$get()), [api]);
  const { result } = useLoad(load);
  const action = useAction();
  const shown = name ?? (result.state === 'ready' ? result.data.instanceName : '');
  const submit = (e: Event) => {
    e.preventDefault();
    setSaved(false);
    void action.run(async () => {
      const settings = await expectOk(api.settings.$patch({ json: { instanceName: shown } }));
      setName(settings.instanceName);
      setSaved(true);
      props.onInstanceName(settings.instanceName);
    });
  };
  return (
    <Panel title="This Gatehouse">
      {result.state === 'loading' ? <Loading what="settings" /> : null}
      {result.state === 'error' ? <ErrorNotice message={result.message} /> : null}
      {result.state === 'ready' ? (
        <form onSubmit={submit} class="stack">
          <Field
            label="Instance name"
            value={shown}
            onValue={(v) => {
              setName(v);
              setSaved(false);
            }}
            required
            maxLength={64}
            spellcheck
            hint="Shown in the page header and the browser tab, to tell several gateways apart."
            error={action.fields.instanceName}
          />
          <ErrorNotice message={action.errorBesides(['instanceName'])} />
          {saved ? <Notice kind="success">Saved.</Notice> : null}
          <div class="row">
            <SubmitButton busy={action.busy}>Save</SubmitButton>
          </div>
        </form>
      ) : null}
    </Panel>
  );
}
