/** @module First-run setup: the one-time setup token from the server log creates the admin account. */
import { useState } from 'preact/hooks';
import { expectOk, fieldProblem, type GatehouseClient, type SessionInfo } from '../api.js';
import { ErrorNotice, Field, SubmitButton } from '../components/ui.js';
import { useAction } from '../hooks.js';
import { minPasswordLength, passwordProblem } from '../passwords.js';

export function SetupPage(props: {
  readonly client: GatehouseClient;
  readonly onDone: (session: SessionInfo) => void;
}) {
  const [setupToken, setSetupToken] = useState('');
  const [username, setUsername] = useState('admin');
  const [password, setPassword] = useState('');
  const [confirm, setConfirm] = useState('');
  const action = useAction({ 'setup.bad-token': 'setupToken' });

  const submit = (e: Event) => {
    e.preventDefault();
    void action.run(async () => {
      const p = passwordProblem(password, confirm);
      if (p !== undefined) throw fieldProblem(p.field, p.message);
      const session = await expectOk(
        props.client.api.setup.$post({ json: { setupToken: setupToken.trim(), username, password } }),
      );
      props.onDone(session);
    });
  };

  return (
    <main class="auth" id="main">
      <div class="auth__box">
        <p class="brand brand--large">Gatehouse</p>
        <h1>Set up Gatehouse</h1>
        <p>
          Create the administrator account. To prove you run this server, enter the{' '}
          <strong>setup token</strong>: it is printed in the server log at start-up, and{' '}
          <code>gatehouse setup-token</code> prints it again.
        </p>
        <form onSubmit={submit} class="stack">
          <Field
            label="Setup token"
            value={setupToken}
            onValue={setSetupToken}
            required
            autocomplete="off"
            autoFocus
            maxLength={200}
            error={action.fields.setupToken}
          />
          <Field
            label="Username"
            value={username}
            onValue={setUsername}
            required
            autocomplete="username"
            pattern="[A-Za-z0-9._\-]{1,64}"
            maxLength={64}
            hint="Letters, digits, dot, dash or underscore."
            error={action.fields.username}
          />
          <Field
            label="Password"
            type="password"
            value={password}
            onValue={setPassword}
            required
            minLength={minPasswordLength}
            autocomplete="new-password"
            hint={`At least ${minPasswordLength} characters. A few unrelated words make a good one.`}
            error={action.fields.password}
          />
          <Field
            label="Confirm password"
            type="password"
            value={confirm}
            onValue={setConfirm}
            required
            autocomplete="new-password"
            error={action.fields.confirmation}
          />
          <ErrorNotice
            message={action.errorBesides(['setupToken', 'username', 'password', 'confirmation'])}
          />
          <SubmitButton busy={action.busy}>Create account</SubmitButton>
        </form>
      </div>
    </main>
  );
}
