/**
 * @module The dialog that gets a peer onto its device: the QR code for the WireGuard app, the .conf download and a
 * one-time link (URL and expiry, with a copy button). When the config is too long for a QR code that scans, the
 * server says so (422 `wireguard.qr-too-long`) and the dialog shows its words and offers the other two.
 */
import { useEffect, useRef, useState } from 'preact/hooks';
import { messageOf, type ApiError } from '../../api.js';
import { CopyButton, ErrorNotice, Notice, SelectField } from '../../components/ui.js';
import { formatDateTime } from '../../format.js';
import { useAction } from '../../hooks.js';
import { peerFileUrl, type OnboardingLink, type PeerView, type WireguardApi } from './api.js';
import { outdatedWords, untilWords } from './model.js';

const linkMinutes = [
  { value: '15', label: '15 minutes' },
  { value: '60', label: '1 hour' },
  { value: '1440', label: '1 day' },
] as const;

type QrState =
  | { readonly kind: 'loading' }
  | { readonly kind: 'shown' }
  | { readonly kind: 'refused'; readonly problem: ApiError | undefined; readonly message: string };

export function PeerDialog(props: {
  readonly api: WireguardApi;
  readonly peer: PeerView;
  /** Just added: the title says so. */
  readonly added?: boolean;
  readonly onClose: () => void;
}) {
  const { peer, api } = props;
  const dialog = useRef<HTMLDialogElement>(null);
  const onCloseRef = useRef(props.onClose);
  onCloseRef.current = props.onClose;
  useEffect(() => {
    const d = dialog.current;
    if (d !== null && !d.open) d.showModal();
    return () => {
      if (d?.open) d.close();
    };
  }, []);
  const [qr, setQr] = useState<QrState>({ kind: 'loading' });
  const qrFailed = () => {
    api.qrProblem(peer.id).then(
      (problem) => {
        setQr({
          kind: 'refused',
          problem,
          message: problem?.message ?? 'The QR code could not be shown.',
        });
      },
      (e: unknown) => {
        setQr({ kind: 'refused', problem: undefined, message: messageOf(e) });
      },
    );
  };
  const [minutes, setMinutes] = useState<(typeof linkMinutes)[number]['value']>('60');
  const [link, setLink] = useState<OnboardingLink | undefined>(undefined);
  const linkAction = useAction();
  const createLink = () => {
    void linkAction.run(async () => {
      setLink(await api.createLink(peer.id, Number(minutes)));
    });
  };
  const titleId = `wg-dialog-title-${peer.id}`;
  const tooLong = qr.kind === 'refused' && qr.problem?.code === 'wireguard.qr-too-long';
  const keyGone = peer.keyMode !== 'own' && !peer.privateKeyAvailable;
  /**
   * The QR code was refused for a reason the download shares (no endpoint known yet, the key forgotten meanwhile):
   * only the reason shows, no button that would fetch an error as a file.
   */
  const noConfig = qr.kind === 'refused' && !tooLong;
  return (
    <dialog
      ref={dialog}
      class="wg-dialog"
      aria-labelledby={titleId}
      data-testid="wg-peer-dialog"
      onClose={() => {
        onCloseRef.current();
      }}
    >
      <div class="wg-dialog__head">
        <h2 id={titleId}>{props.added ? `“${peer.name}” added: connect it` : `Connect “${peer.name}”`}</h2>
        <button
          type="button"
          class="button button--secondary button--small"
          onClick={() => dialog.current?.close()}
        >
          Close
        </button>
      </div>
      {peer.configOutdated ? <Notice kind="warning">{outdatedWords(peer.outdatedReasons)}</Notice> : null}
      {peer.keyMode === 'forget-after-download' && peer.privateKeyAvailable ? (
        <Notice kind="warning">
          This box forgets the private key once the configuration has been fetched: scan or download it now,
          on the device itself if you can.
        </Notice>
      ) : null}
      {peer.keyMode === 'own' ? (
        <Notice kind="info">
          This peer brought its own key: the configuration has a blank for the private key, to fill in on the
          device.
        </Notice>
      ) : null}
      {keyGone ? (
        <Notice kind="warning">
          The private key is no longer on this box, so the configuration cannot be shown again. Remove the
          peer and add it anew for a new configuration.
        </Notice>
      ) : (
        <>
          <p class="hint">In the WireGuard app: “+” → “Scan from QR code”.</p>
          <div class="wg-qr-frame">
            {qr.kind === 'refused' ? (
              <Notice kind={tooLong ? 'warning' : 'error'} testId="wg-qr-problem">
                <p>{qr.message}</p>
                {tooLong ? <p>Download the file or send a one-time link to the device instead.</p> : null}
              </Notice>
            ) : (
              <img
                class="qr wg-qr"
                src={peerFileUrl(peer.id, 'qr.svg')}
                alt={`QR code of the WireGuard configuration for ${peer.name}`}
                width={280}
                height={280}
                data-testid="wg-qr"
                onLoad={() => {
                  setQr({ kind: 'shown' });
                }}
                onError={qrFailed}
              />
            )}
          </div>
          {noConfig ? null : (
            <>
              <div class="row">
                <a
                  class="button button--primary"
                  href={peerFileUrl(peer.id, 'config')}
                  download
                  data-testid="wg-download"
                >
                  Download .conf
                </a>
                {qr.kind === 'refused' ? null : (
                  <a
                    class="button button--secondary"
                    href={peerFileUrl(peer.id, 'qr.png')}
                    download={`${peer.name.replace(/[^\p{L}\p{N}._-]+/gu, '-').slice(0, 40) || 'peer'}-qr.png`}
                    data-testid="wg-qr-png"
                  >
                    Save QR code (PNG)
                  </a>
                )}
              </div>
              <section class="wg-link" aria-label="One-time link">
                <h3>One-time link</h3>
                <p class="hint">
                  A link that opens the QR code and the download once, then stops working. Send it to the
                  device (e.g. by message) when you cannot scan this screen.
                </p>
                <div class="row wg-link__make">
                  <SelectField
                    label="Valid for"
                    value={minutes}
                    onValue={(m) => {
                      setMinutes(m);
                    }}
                    options={linkMinutes}
                  />
                  <button
                    type="button"
                    class="button button--secondary"
                    onClick={createLink}
                    disabled={linkAction.busy}
                    aria-busy={linkAction.busy}
                  >
                    Create one-time link
                  </button>
                </div>
                <ErrorNotice message={linkAction.error} />
                {link === undefined ? null : (
                  <div class="stack" data-testid="wg-link">
                    <div class="token-secret">
                      <code data-testid="wg-link-url">{link.url}</code>
                    </div>
                    <p class="hint">
                      Works once, until {formatDateTime(link.expiresAt)} (
                      {untilWords(link.expiresAt, new Date())}
                      ).
                    </p>
                    <div class="row">
                      <CopyButton text={link.url} label="Copy link" />
                    </div>
                  </div>
                )}
              </section>
            </>
          )}
        </>
      )}
    </dialog>
  );
}
