/**
 * @module The WireGuard interface banner over the peers and services pages: running or not and why, where clients
 * connect, hand-made changes found on the interface, firewall warnings, the last handshake from outside.
 */
import { ErrorNotice } from '../../components/ui.js';
import type { Loaded } from '../../hooks.js';
import type { WireguardOverview } from './api.js';
import { agoWords, bannerOf } from './model.js';

export function InterfaceBanner(props: { readonly overview: Loaded<WireguardOverview>; readonly now: Date }) {
  const o = props.overview;
  if (o.state === 'loading') return null;
  if (o.state === 'error') return <ErrorNotice message={o.message} />;
  const b = bannerOf(o.data, props.now);
  return (
    <section
      class={`reach-banner reach-banner--${b.tone === 'unknown' ? 'warning' : b.tone} wg-banner`}
      aria-labelledby="wg-banner-headline"
      data-testid="wg-banner"
    >
      <h2 class="reach-banner__headline" id="wg-banner-headline">
        {b.headline}
      </h2>
      <ul class="wg-banner__lines">
        {b.lines.map((line) => (
          <li key={line}>{line}</li>
        ))}
      </ul>
      {b.drift.length === 0 ? null : (
        <div class="wg-banner__list">
          <p class="strong">
            Changed by hand on the interface
            {b.driftAt === undefined ? '' : ` (found ${agoWords(b.driftAt, props.now)})`}; Gatehouse sets it
            back when it applies:
          </p>
          <ul>
            {b.drift.map((d) => (
              <li key={d}>{d}</li>
            ))}
          </ul>
        </div>
      )}
      {b.warnings.length === 0 ? null : (
        <div class="wg-banner__list">
          <p class="strong">Firewall warnings:</p>
          <ul>
            {b.warnings.map((w) => (
              <li key={w}>{w}</li>
            ))}
          </ul>
        </div>
      )}
    </section>
  );
}
