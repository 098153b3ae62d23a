/**
 * @module The certificate authority: the stored account (never a secret: the EAB HMAC key only as "set"), and the
 * form — the CA (Let's Encrypt, its staging, or any directory URL), looked up to show its terms before an explicit
 * "I agree", the contact email, External Account Binding and an extra CA bundle to trust.
 */
import { useState } from 'preact/hooks';
import { ApiError, fieldProblem } from '../../api.js';
import { ErrorNotice, Field, Notice, Panel, SelectField, SubmitButton } from '../../components/ui.js';
import { useAction } from '../../hooks.js';
import type { Account, CaDirectory, CertApi, CertView } from './api.js';
import { CheckboxField, TextAreaField } from './fields.js';
import {
  accountBodyOf,
  accountDraftOf,
  caChoiceOf,
  caChoices,
  directoryUrlOf,
  directoryWords,
  formProblems,
  hmacKeyHint,
  type AccountDraft,
  type CaChoice,
  type Checked,
  type FormatDate,
} from './model.js';

function checked<T>(result: Checked<T>): T {
  if (!result.ok) throw fieldProblem(result.field, result.message);
  return result.body;
}

/** The form's fields by the API's names; a failure about one of them shows beside it. */
const shownFields = ['directoryUrl', 'email', 'eab.kid', 'eab.hmacKey', 'caBundlePem', 'agreeTerms'];

/** Failures the server ties to no field, or to one the form names otherwise. */
const codeFields = { 'cert.terms-not-agreed': 'agreeTerms', 'cert.eab-required': 'eab.kid' };

export function AccountPanel(props: {
  readonly api: CertApi;
  readonly view: CertView;
  readonly when: FormatDate;
  readonly onSaved: (view: CertView) => void;
}) {
  const account = props.view.account;
  const [editing, setEditing] = useState(account === null);
  return (
    <Panel
      title="Certificate authority"
      testId="cert-account"
      actions={
        editing || account === null ? undefined : (
          <button
            type="button"
            class="button button--secondary button--small"
            onClick={() => {
              setEditing(true);
            }}
          >
            Change
          </button>
        )
      }
    >
      {account !== null && !editing ? <AccountFacts account={account} when={props.when} /> : null}
      {editing || account === null ? (
        <AccountForm
          api={props.api}
          account={account}
          onSaved={(view) => {
            setEditing(false);
            props.onSaved(view);
          }}
          onCancel={
            account === null
              ? undefined
              : () => {
                  setEditing(false);
                }
          }
        />
      ) : null}
    </Panel>
  );
}

function caName(url: string): string {
  const choice = caChoiceOf(url);
  return choice === 'custom' ? url : (caChoices.find((c) => c.value === choice)?.label ?? url);
}

function AccountFacts(props: { readonly account: Account; readonly when: FormatDate }) {
  const a = props.account;
  return (
    <table class="facts" data-testid="cert-account-facts">
      <tbody>
        <tr>
          <th scope="row">CA</th>
          <td>{caName(a.directoryUrl)}</td>
        </tr>
        <tr>
          <th scope="row">Email</th>
          <td>{a.email ?? <span class="muted">none</span>}</td>
        </tr>
        <tr>
          <th scope="row">Terms</th>
          <td>
            {a.termsAgreedAt === null ? 'Not agreed' : `Agreed ${props.when(a.termsAgreedAt)}`}
            {a.termsOfService === null ? null : (
              <>
                {' '}
                (
                <a href={a.termsOfService} target="_blank" rel="noreferrer noopener">
                  the CA’s terms
                </a>
                )
              </>
            )}
          </td>
        </tr>
        {a.eabKid === null && !a.eabHmacKeySet ? null : (
          <tr>
            <th scope="row">EAB</th>
            <td>
              Key ID {a.eabKid ?? 'none'}; HMAC key {a.eabHmacKeySet ? 'set' : 'not set'}
              <div class="hint">External Account Binding</div>
            </td>
          </tr>
        )}
        <tr>
          <th scope="row">Extra CA certs</th>
          <td>{a.caBundleSet ? 'set' : 'none'}</td>
        </tr>
        <tr>
          <th scope="row">Account</th>
          <td>
            {a.accountUrl === null ? (
              <span class="muted">not registered yet</span>
            ) : (
              <code>{a.accountUrl}</code>
            )}
          </td>
        </tr>
      </tbody>
    </table>
  );
}

function AccountForm(props: {
  readonly api: CertApi;
  readonly account: Account | null;
  readonly onSaved: (view: CertView) => void;
  readonly onCancel: (() => void) | undefined;
}) {
  const [draft, setDraft] = useState<AccountDraft>(() => accountDraftOf(props.account));
  const [directory, setDirectory] = useState<CaDirectory | undefined>(undefined);
  const lookup = useAction({ 'cert.ca-unreachable': 'directoryUrl', 'cert.ca-refused': 'directoryUrl' });
  const save = useAction(codeFields);
  const url = directoryUrlOf(draft);
  // The terms shown must be those of the CA the form names now.
  const shownDirectory = url.ok && directory?.url === url.body ? directory : undefined;
  const custom = draft.ca === 'custom';
  const storedEab = props.account !== null && (props.account.eabKid !== null || props.account.eabHmacKeySet);
  const showEab = custom || storedEab || shownDirectory?.externalAccountRequired === true;

  const change = (patch: Partial<AccountDraft>) => {
    setDraft((d) => ({ ...d, ...patch }));
  };
  const chooseCa = (ca: CaChoice) => {
    // A new CA has other terms: the agreement starts over.
    change({ ca, agreed: false });
    lookup.clearError();
  };
  const lookUp = () => {
    save.clearError();
    void lookup.run(async () => {
      const target = checked(directoryUrlOf(draft));
      try {
        setDirectory(await props.api.directory(target));
      } catch (e) {
        // The query's `url` is the form's directory URL.
        const problem = e instanceof ApiError ? formProblems(e.fields).url : undefined;
        if (e instanceof ApiError && problem !== undefined)
          throw new ApiError(e.status, e.code, problem, {}, { directoryUrl: problem });
        throw e;
      }
    });
  };
  const submit = (e: Event) => {
    e.preventDefault();
    lookup.clearError();
    void save.run(async () => {
      const body = checked(accountBodyOf(draft, props.account, shownDirectory));
      props.onSaved(await props.api.putAccount(body));
    });
  };
  const problems = formProblems({ ...save.fields, ...lookup.fields });
  // The server names the whole binding `eab` when it is missing; the key ID is where to start.
  if (problems.eab !== undefined) problems['eab.kid'] ??= problems.eab;
  const generalError = save.errorBesides([...shownFields, 'eab']) ?? lookup.errorBesides(shownFields);

  return (
    <form class="stack form-inline" onSubmit={submit} noValidate aria-label="Certificate authority settings">
      <SelectField
        label="CA"
        value={draft.ca}
        onValue={chooseCa}
        options={caChoices}
        hint={
          draft.ca === 'letsencrypt-staging'
            ? 'For trying things out: its certificates are not trusted by browsers, and its limits are generous.'
            : custom
              ? 'ZeroSSL, Google Trust Services, a CA of your own: any CA that speaks ACME.'
              : 'Free, trusted by every browser; certificates for 90 days or less, renewed automatically.'
        }
      />
      {custom ? (
        <Field
          label="Directory URL"
          value={draft.customUrl}
          onValue={(customUrl) => {
            change({ customUrl, agreed: false });
          }}
          maxLength={2048}
          hint="The CA’s ACME directory, e.g. https://acme.zerossl.com/v2/DV90."
          error={problems.directoryUrl}
        />
      ) : problems.directoryUrl === undefined ? null : (
        <ErrorNotice message={problems.directoryUrl} />
      )}
      <div class="row">
        <button
          type="button"
          class="button button--secondary"
          onClick={lookUp}
          disabled={lookup.busy}
          aria-busy={lookup.busy}
        >
          {lookup.busy
            ? 'Asking the CA…'
            : shownDirectory === undefined
              ? 'Show the CA’s terms'
              : 'Ask again'}
        </button>
      </div>
      {shownDirectory === undefined ? (
        <p class="hint">Gatehouse asks the CA for its terms of service; you agree to them before saving.</p>
      ) : (
        <Notice kind="info" testId="cert-directory">
          <p>
            {shownDirectory.termsOfService === null ? (
              'This CA publishes no terms of service.'
            ) : (
              <>
                Terms of service:{' '}
                <a href={shownDirectory.termsOfService} target="_blank" rel="noreferrer noopener">
                  {shownDirectory.termsOfService}
                </a>
              </>
            )}
            {shownDirectory.website === null ? null : (
              <>
                {' '}
                · Website:{' '}
                <a href={shownDirectory.website} target="_blank" rel="noreferrer noopener">
                  {shownDirectory.website}
                </a>
              </>
            )}
          </p>
          <ul>
            {directoryWords(shownDirectory).map((line) => (
              <li key={line}>{line}</li>
            ))}
          </ul>
        </Notice>
      )}
      <Field
        label="Email (optional)"
        value={draft.email}
        onValue={(email) => {
          change({ email });
        }}
        autocomplete="email"
        maxLength={254}
        hint="The CA may write here about a problem with your certificates."
        error={problems.email}
      />
      {showEab ? (
        <fieldset class="wg-fieldset stack">
          <legend>External Account Binding</legend>
          <Field
            label="Key ID"
            value={draft.eabKid}
            onValue={(eabKid) => {
              change({ eabKid });
            }}
            autocomplete="off"
            maxLength={512}
            hint="From your account at the CA. Leave both empty if the CA needs none."
            error={problems['eab.kid']}
          />
          <Field
            label="HMAC key"
            type="password"
            value={draft.eabHmacKey}
            onValue={(eabHmacKey) => {
              change({ eabHmacKey });
            }}
            autocomplete="new-password"
            maxLength={1024}
            hint={hmacKeyHint(props.account)}
            error={problems['eab.hmacKey']}
          />
        </fieldset>
      ) : null}
      {custom || props.account?.caBundleSet === true ? (
        <>
          <TextAreaField
            label="Extra CA certificates to trust (PEM, optional)"
            value={draft.caBundlePem}
            onValue={(caBundlePem) => {
              change({ caBundlePem });
            }}
            maxLength={256 * 1024}
            placeholder="-----BEGIN CERTIFICATE-----"
            hint={
              props.account?.caBundleSet
                ? 'Some are set. Leave empty to keep them; paste new ones to replace them.'
                : 'For a private CA whose directory uses a certificate your system does not trust.'
            }
            error={problems.caBundlePem}
          />
          {props.account?.caBundleSet ? (
            <CheckboxField
              label="Remove the extra CA certificates"
              checked={draft.removeCaBundle}
              onChecked={(removeCaBundle) => {
                change({ removeCaBundle });
              }}
            />
          ) : null}
        </>
      ) : null}
      <CheckboxField
        label="I agree to the CA’s terms of service"
        checked={draft.agreed}
        onChecked={(agreed) => {
          change({ agreed });
        }}
        hint={
          shownDirectory === undefined
            ? 'Show the CA’s terms first, then read them.'
            : 'The CA opens no account without it.'
        }
        error={problems.agreeTerms}
        testId="cert-agree"
      />
      <ErrorNotice message={generalError} />
      <div class="row">
        <SubmitButton busy={save.busy}>{save.busy ? 'Registering at the CA…' : 'Save'}</SubmitButton>
        {props.onCancel === undefined ? null : (
          <button type="button" class="button button--secondary" onClick={props.onCancel}>
            Cancel
          </button>
        )}
      </div>
    </form>
  );
}
