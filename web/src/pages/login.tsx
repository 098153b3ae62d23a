/** @module Login: username and password, then a TOTP code or a recovery code when two-factor is on. */
import { useState } from 'preact/hooks';
import { expectOk, type GatehouseClient, type SessionInfo } from '../api.js';
import { ErrorNotice, Field, Notice, SubmitButton } from '../components/ui.js';
import { useAction } from '../hooks.js';

export function LoginPage(props: {
  readonly client: GatehouseClient;
  readonly notice?: string | undefined;
  readonly onDone: (session: SessionInfo) => void;
}) {
  const [step, setStep] = useState<'password' | 'code'>('password');
  return (
    <main class="auth" id="main">
      <div class="auth__box">
        <p class="brand brand--large">Gatehouse</p>
        {step === 'password' ? (
          <PasswordStep
            client={props.client}
            notice={props.notice}
            onDone={(session) => {
              if (session.stage === 'pending-mfa') setStep('code');
              else props.onDone(session);
            }}
          />
        ) : (
          <CodeStep
            client={props.client}
            onDone={props.onDone}
            onRestart={() => {
              setStep('password');
            }}
          />
        )}
      </div>
    </main>
  );
}

function PasswordStep(props: {
  readonly client: GatehouseClient;
  readonly notice: string | undefined;
  readonly onDone: (session: SessionInfo) => void;
}) {
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const action = useAction();
  const submit = (e: Event) => {
    e.preventDefault();
    void action.run(async () => {
      const session = await expectOk(props.client.api.auth.login.$post({ json: { username, password } }));
      props.onDone(session);
    });
  };
  return (
    <>
      <h1>Log in</h1>
      {props.notice === undefined ? null : <Notice kind="info">{props.notice}</Notice>}
      <form onSubmit={submit} class="stack">
        <Field
          label="Username"
          value={username}
          onValue={setUsername}
          required
          autocomplete="username"
          autoFocus
        />
        <Field
          label="Password"
          type="password"
          value={password}
          onValue={setPassword}
          required
          autocomplete="current-password"
        />
        <ErrorNotice message={action.error} />
        <SubmitButton busy={action.busy}>Log in</SubmitButton>
      </form>
    </>
  );
}

function CodeStep(props: {
  readonly client: GatehouseClient;
  readonly onDone: (session: SessionInfo) => void;
  readonly onRestart: () => void;
}) {
  const [useRecovery, setUseRecovery] = useState(false);
  const [code, setCode] = useState('');
  const action = useAction({ 'auth.invalid-code': 'code' });
  const submit = (e: Event) => {
    e.preventDefault();
    void action.run(async () => {
      const json = useRecovery ? { recoveryCode: code.trim() } : { code: code.replace(/\s/g, '') };
      const session = await expectOk(props.client.api.auth.login.totp.$post({ json }));
      props.onDone(session);
    });
  };
  return (
    <>
      <h1>Two-factor code</h1>
      <p>
        {useRecovery
          ? 'Enter one of the recovery codes you saved when you turned on two-factor authentication. Each works once.'
          : 'Enter the 6-digit code from your authenticator app.'}
      </p>
      <form onSubmit={submit} class="stack">
        {useRecovery ? (
          <Field
            key="recovery"
            label="Recovery code"
            value={code}
            onValue={setCode}
            required
            autoFocus
            autocomplete="off"
            error={action.fields.code ?? action.fields.recoveryCode}
          />
        ) : (
          <Field
            key="totp"
            label="Authentication code"
            value={code}
            onValue={setCode}
            required
            autoFocus
            inputMode="numeric"
            pattern="\s*(\d\s*){6}"
            maxLength={9}
            autocomplete="one-time-code"
            error={action.fields.code}
          />
        )}
        <ErrorNotice message={action.errorBesides(['code', 'recoveryCode'])} />
        <SubmitButton busy={action.busy}>Verify</SubmitButton>
      </form>
      <div class="row">
        <button
          type="button"
          class="link-button"
          onClick={() => {
            setUseRecovery(!useRecovery);
            setCode('');
            action.clearError();
          }}
        >
          {useRecovery ? 'Use an authenticator code instead' : 'Use a recovery code instead'}
        </button>
        <button type="button" class="link-button" onClick={props.onRestart}>
          Start over
        </button>
      </div>
    </>
  );
}
