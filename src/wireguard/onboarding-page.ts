/**
 * @module The public onboarding page a one-time link opens: before, a button (so a chat app's link preview never
 * spends the link); after, the QR code and the config to download, once. Plain HTML, every value escaped; no script
 * and no inline style (the CSP allows neither), the QR code inline as SVG, the download a data: URL. Pure.
 */

const escapeHtml = (text: string): string =>
  text.replace(/[&<>"']/g, (ch) => `&#${String(ch.codePointAt(0))};`);

function page(title: string, body: string): string {
  return `<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex"><title>${escapeHtml(title)}</title></head>
<body>
<main>
<h1>${escapeHtml(title)}</h1>
${body}
</main>
</body>
</html>
`;
}

export type OnboardingView =
  | { readonly kind: 'ask'; readonly peerName: string; readonly expiresAt: string }
  | {
      readonly kind: 'show';
      readonly peerName: string;
      readonly config: string;
      readonly fileName: string;
      /** The QR code as SVG markup from the qrcode library (trusted: made here from the config), or null. */
      readonly qrSvg: string | null;
      /** Why there is no QR code (the config is too long to scan). */
      readonly qrProblem: string | null;
    };

export function onboardingPage(view: OnboardingView): string {
  const name = escapeHtml(view.peerName);
  if (view.kind === 'ask')
    return page(
      `WireGuard for ${view.peerName}`,
      `<p>This link shows the WireGuard configuration for <strong>${name}</strong> once. Open it on the device ` +
        `that will connect (or with the WireGuard app ready to scan), then press the button.</p>
<p>The link expires at <time datetime="${escapeHtml(view.expiresAt)}">${escapeHtml(view.expiresAt)}</time>.</p>
<form method="post"><button type="submit">Show my configuration</button></form>`,
    );
  const download = `data:text/plain;base64,${Buffer.from(view.config, 'utf8').toString('base64')}`;
  const qr =
    view.qrSvg === null
      ? `<p>${escapeHtml(view.qrProblem ?? 'No QR code.')}</p>`
      : `<p>Scan this code with the WireGuard app (“Add tunnel” → “Scan from QR code”):</p>
<div class="qr">${view.qrSvg}</div>`;
  return page(
    `WireGuard for ${view.peerName}`,
    `${qr}
<p><a href="${download}" download="${escapeHtml(view.fileName)}">Download ${escapeHtml(view.fileName)}</a> and import it in the WireGuard app.</p>
<p>This link is now used up: this page is the only time it shows the configuration.</p>`,
  );
}

/** A link that cannot be used: unknown, used or expired, with what to do. */
export function onboardingStatusPage(message: string): string {
  return page(
    'This link cannot be used',
    `<p>${escapeHtml(message)}.</p><p>Ask the owner of the Gatehouse box for a new link.</p>`,
  );
}
