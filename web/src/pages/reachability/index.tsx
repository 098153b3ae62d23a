/** @module Reachability: the verdict, what to do about it, the evidence and sources behind it, the first hops and the address history. */
import type { ComponentChildren } from 'preact';
import { useCallback, useId, useMemo, useState } from 'preact/hooks';
import { expectOk, type GatehouseClient } from '../../api.js';
import { AddressTimeline } from '../../components/address-timeline.js';
import { DataTable } from '../../components/table.js';
import { ActionButton, ErrorNotice, Loading, PageTitle, Panel, RelativeTime } from '../../components/ui.js';
import { useAction, useInterval, useLoad } from '../../hooks.js';
import { levelWords, portMappingWords } from '../../../../src/reach/words.js';
import { connectReachability, type Reachability } from './api.js';

type Report = NonNullable<Reachability['report']>;
type Tone = 'ok' | 'warning' | 'error' | 'unknown';

/**
 * The banner's colour: how sure the verdict is. "Unlikely" is a warning: a manual forward may work unseen from
 * inside. Its words, like the port mapping's, are the dashboard card's (src/reach/words.ts).
 */
const levelTones: Record<Report['level'], Tone> = {
  proven: 'ok',
  likely: 'ok',
  unlikely: 'warning',
  impossible: 'error',
};

const inboundLabels: Record<Report['inbound'], string> = {
  yes: 'Directly',
  'via-port-mapping': 'Through the port mapping on the router',
  'ipv6-only': 'Over IPv6 only',
  'needs-port-forward': 'Only through a port forward on the router',
  no: 'No way in',
};

const cgnatLabels: Record<Report['ipv4']['cgnat'], { readonly label: string; readonly tone: Tone }> = {
  found: { label: 'Found', tone: 'error' },
  'ruled-out': { label: 'Ruled out', tone: 'ok' },
  'not-ruled-out': { label: 'Not ruled out', tone: 'warning' },
};

const kindLabels: Record<Report['ipv4']['kind'], string> = {
  public: 'None: the box has a public address',
  nat: 'NAT (one router)',
  'double-nat': 'Double NAT (two routers in a row)',
  cgnat: 'Carrier-grade NAT (shared by the provider)',
  offline: 'Offline: no IPv4 connection',
  unknown: 'Unknown',
};

const mappingLabels: Record<Report['ipv4']['mapping'], string> = {
  'endpoint-independent': 'Endpoint-independent (same public port for every peer)',
  'endpoint-dependent': 'Endpoint-dependent (a new public port per peer)',
  unknown: 'Unknown',
};

const udpLabels: Record<Report['ipv4']['udp'], { readonly label: string; readonly tone: Tone }> = {
  ok: { label: 'Works', tone: 'ok' },
  blocked: { label: 'Blocked', tone: 'error' },
  unknown: { label: 'Unknown', tone: 'unknown' },
};

const portMappingTones: Record<Report['ipv4']['portMapping'], Tone> = {
  mapped: 'ok',
  unconfirmed: 'warning',
  refused: 'error',
  lost: 'error',
  unsupported: 'warning',
  disabled: 'unknown',
  'not-tried': 'unknown',
};

const consensusLabels: Record<Report['ipv4']['consensus'], { readonly label: string; readonly tone: Tone }> =
  {
    accepted: { label: 'Sources agree', tone: 'ok' },
    disagreement: { label: 'Sources disagree', tone: 'warning' },
    insufficient: { label: 'Too few answers to be sure', tone: 'unknown' },
  };

const familyLabels: Record<Report['sources'][number]['family'], string> = { ipv4: 'IPv4', ipv6: 'IPv6' };

/** A probe can be started by the loop at any time; look again now and then. Faster while there is no result yet. */
const refreshMs = 60_000;
const waitingRefreshMs = 10_000;

/** The answer with the newer report; an equally old one from GET wins, its history may be newer. */
export function pickNewer(
  loaded: Reachability | undefined,
  probed: Reachability | undefined,
): Reachability | undefined {
  if (loaded === undefined || probed === undefined) return loaded ?? probed;
  return reportTime(probed) > reportTime(loaded) ? probed : loaded;
}

function reportTime(r: Reachability): number {
  const t = r.report === null ? Number.NaN : Date.parse(r.report.at);
  return Number.isNaN(t) ? Number.NEGATIVE_INFINITY : t;
}

/** Which address range a hop is in: private and shared (CGNAT) ranges before the internet are where NAT layers sit. */
export function hopRange(address: string): 'private' | 'cgnat' | 'other' {
  const octets = address.split('.').map(Number);
  if (octets.length !== 4 || octets.some((o) => !Number.isInteger(o) || o < 0 || o > 255)) return 'other';
  const [a = 0, b = 0] = octets;
  if (a === 10 || (a === 172 && b >= 16 && b <= 31) || (a === 192 && b === 168)) return 'private';
  if (a === 100 && b >= 64 && b <= 127) return 'cgnat';
  return 'other';
}

export function ReachabilityPage(props: { readonly client: GatehouseClient }) {
  const api = useMemo(() => connectReachability(props.client), [props.client]);
  const load = useCallback(() => expectOk(api.reachability.$get()), [api]);
  const { result, reload } = useLoad(load);
  const [probed, setProbed] = useState<Reachability | undefined>(undefined);
  const [probeDone, setProbeDone] = useState(false);
  const probe = useAction();

  const data = pickNewer(result.state === 'ready' ? result.data : undefined, probed);
  useInterval(reload, data?.report === null ? waitingRefreshMs : refreshMs);

  const checkNow = () => {
    setProbeDone(false);
    void probe
      .run(async () => {
        setProbed(await expectOk(api.reachability.probe.$post()));
      })
      .then(setProbeDone);
  };

  const now = new Date();
  return (
    <>
      <PageTitle title="Reachability">
        {data?.report ? (
          <span class="muted">
            Checked <RelativeTime at={data.report.at} now={now} seconds />
          </span>
        ) : null}
        <ActionButton busy={probe.busy} onClick={checkNow} testId="reachability-check">
          {probe.busy ? 'Checking…' : 'Check now'}
        </ActionButton>
      </PageTitle>
      <div role="status" class="reach-status">
        {probe.busy ? (
          <div class="reach-progress">
            <p>
              Checking: asking STUN servers and the router, tracing the first hops. This takes a few seconds.
            </p>
            <progress class="reach-progress__bar" aria-label="Checking reachability" />
          </div>
        ) : probeDone ? (
          <p class="visually-hidden">Check finished.</p>
        ) : null}
      </div>
      <ErrorNotice message={probe.error} />
      {data === undefined && result.state === 'loading' ? <Loading what="reachability" /> : null}
      {result.state === 'error' ? <ErrorNotice message={result.message} /> : null}
      {data === undefined ? null : <ReachabilityView data={data} now={now} />}
    </>
  );
}

function ReachabilityView(props: { readonly data: Reachability; readonly now: Date }) {
  const { report, current, history } = props.data;
  return (
    <>
      {report === null ? <NoReport current={current} /> : <ReportView report={report} />}
      <Panel title="Address history" testId="reachability-history">
        <p class="hint reach-hint">Changes of the public addresses, newest first.</p>
        <AddressTimeline changes={history} now={props.now} />
      </Panel>
      {props.data.changeDetection === null ? null : (
        <ChangeDetectionPanel detection={props.data.changeDetection} />
      )}
    </>
  );
}

type Detection = NonNullable<Reachability['changeDetection']>;

const interfaceEventLabels: Record<
  Detection['interfaceEvents'],
  { readonly label: string; readonly tone: Tone }
> = {
  watching: { label: 'Watching (ip monitor address)', tone: 'ok' },
  stopped: { label: 'Stopped: relying on the other channels', tone: 'warning' },
  off: { label: 'Turned off in the settings', tone: 'unknown' },
};

const upnpLabels: Record<Detection['upnp'], { readonly label: string; readonly tone: Tone }> = {
  subscribed: { label: 'Subscribed to the router’s events', tone: 'ok' },
  'not-subscribed': { label: 'Not subscribed', tone: 'unknown' },
  off: { label: 'Turned off in the settings', tone: 'unknown' },
};

const announcementLabels: Record<
  Detection['announcements'],
  { readonly label: string; readonly tone: Tone }
> = {
  listening: { label: 'Listening on UDP 5350', tone: 'ok' },
  'not-listening': { label: 'Not listening', tone: 'warning' },
  off: { label: 'Turned off in the settings', tone: 'unknown' },
};

/** How a new public address is noticed: the fast channels, and the backstop behind them. */
function ChangeDetectionPanel(props: { readonly detection: Detection }) {
  const d = props.detection;
  return (
    <Panel title="How changes are noticed" testId="reachability-detection">
      <FactTable caption="Change detection channels">
        <Fact label="This box’s addresses">
          <Toned {...interfaceEventLabels[d.interfaceEvents]} />
        </Fact>
        <Fact label="Router (UPnP events)">
          <Toned {...upnpLabels[d.upnp]} />
          {d.upnpDetail === null ? null : <span class="muted"> ({d.upnpDetail})</span>}
        </Fact>
        <Fact label="Router (NAT-PMP / PCP)">
          <Toned {...announcementLabels[d.announcements]} />
        </Fact>
        <Fact label="Backstop">STUN check every {d.backstopSeconds} s (±20 %)</Fact>
      </FactTable>
    </Panel>
  );
}

function NoReport(props: { readonly current: Reachability['current'] }) {
  const titleId = useId();
  const { ipv4, ipv6 } = props.current;
  return (
    <>
      <section class="reach-banner reach-banner--unknown" aria-labelledby={titleId}>
        <h2 id={titleId} class="reach-banner__headline">
          No result yet
        </h2>
        <p>
          Either the first check is still running (it takes a few seconds after Gatehouse starts), or
          reachability checks are turned off on this server (<code>GATEHOUSE_REACHABILITY=off</code>). Press{' '}
          <strong>Check now</strong> to run one.
        </p>
      </section>
      {ipv4 === null && ipv6 === null ? null : (
        <Panel title="Last known public addresses">
          <FactTable caption="Last known public addresses">
            <Fact label="IPv4">{ipv4 === null ? <span class="muted">none</span> : <code>{ipv4}</code>}</Fact>
            <Fact label="IPv6">{ipv6 === null ? <span class="muted">none</span> : <code>{ipv6}</code>}</Fact>
          </FactTable>
        </Panel>
      )}
    </>
  );
}

function ReportView(props: { readonly report: Report }) {
  const { report } = props;
  const verdict = { label: levelWords[report.level], tone: levelTones[report.level] };
  const bannerId = useId();
  const remediesId = useId();
  return (
    <>
      <section
        class={`reach-banner reach-banner--${verdict.tone}`}
        aria-labelledby={bannerId}
        data-testid="reachability-headline"
      >
        <p class="reach-banner__verdict">
          <span class={`badge badge--${verdict.tone}`}>{verdict.label}</span>
        </p>
        <h2 id={bannerId} class="reach-banner__headline">
          {report.headline}
        </h2>
      </section>

      {report.remedies.length === 0 ? null : (
        <section
          class="panel panel--highlight reach-remedies"
          aria-labelledby={remediesId}
          data-testid="reachability-remedies"
        >
          <h2 id={remediesId}>What to do</h2>
          <ol class="reach-remedies__list">
            {report.remedies.map((r) => (
              <li key={r}>{r}</li>
            ))}
          </ol>
        </section>
      )}

      <div class="reach-grid">
        <Panel title="IPv4" testId="reachability-ipv4">
          <FactTable caption="IPv4 details">
            <Fact label="Public address">
              <AddressValue address={report.ipv4.publicAddress} />
            </Fact>
            <Fact label="Way in">{inboundLabels[report.inbound]}</Fact>
            <Fact label="NAT">{kindLabels[report.ipv4.kind]}</Fact>
            <Fact label="Carrier-grade NAT">
              <Toned {...cgnatLabels[report.ipv4.cgnat]} />
            </Fact>
            <Fact label="NAT mapping">{mappingLabels[report.ipv4.mapping]}</Fact>
            <Fact label="UDP">
              <Toned {...udpLabels[report.ipv4.udp]} />
            </Fact>
            <Fact label="Port mapping">
              <Toned
                label={portMappingWords[report.ipv4.portMapping]}
                tone={portMappingTones[report.ipv4.portMapping]}
              />
              {report.portMappingStatus?.error ? (
                <span class="muted"> ({report.portMappingStatus.error})</span>
              ) : null}
            </Fact>
            <Fact label="Sources">
              <Toned {...consensusLabels[report.ipv4.consensus]} />
            </Fact>
            <Fact label="Local addresses">
              <AddressList addresses={report.ipv4.localAddresses} />
            </Fact>
            <Fact label="First hops">
              <HopChain path={report.ipv4.path} error={report.ipv4.pathError} />
            </Fact>
          </FactTable>
        </Panel>
        <Panel title="IPv6" testId="reachability-ipv6">
          <FactTable caption="IPv6 details">
            <Fact label="Public address">
              <AddressValue address={report.ipv6.publicAddress} />
            </Fact>
            <Fact label="From the internet">
              {report.ipv6.globalReachable ? (
                <Toned label="Reachable" tone="ok" />
              ) : (
                <Toned label="Not reachable" tone="unknown" />
              )}
            </Fact>
            <Fact label="Sources">
              <Toned {...consensusLabels[report.ipv6.consensus]} />
            </Fact>
            <Fact label="Local addresses">
              <AddressList addresses={report.ipv6.localAddresses} />
            </Fact>
          </FactTable>
        </Panel>
      </div>

      <Panel title="Evidence" testId="reachability-evidence">
        {report.evidence.length === 0 ? (
          <p class="muted">No evidence recorded.</p>
        ) : (
          <ul class="reach-evidence">
            {report.evidence.map((e) => (
              <li key={e}>{e}</li>
            ))}
          </ul>
        )}
      </Panel>

      <Panel title="Sources" testId="reachability-sources">
        <SourcesView sources={report.sources} summary={report.sourcesSummary} />
      </Panel>
    </>
  );
}

/** Every source's answer; when none answered, a summary by kind of failure (the full list one click away). */
function SourcesView(props: {
  readonly sources: Report['sources'];
  readonly summary: Report['sourcesSummary'];
}) {
  const groups = props.summary;
  const table = (
    <DataTable
      columns={['Family', 'Source', 'Answer']}
      variant="sources"
      caption="What each source answered"
      rows={props.sources}
      empty="No sources were asked."
      row={(s) => (
        <tr
          key={`${s.family} ${s.source}`}
          class={s.status === 'unavailable' ? 'row--unavailable' : undefined}
        >
          <td class="nowrap">{familyLabels[s.family]}</td>
          <td class="reach-source">{s.source}</td>
          <td>
            {s.status === 'known' ? (
              <code>{s.address ?? ''}</code>
            ) : (
              <span class="reach-unavailable">unavailable: {s.reason ?? 'no reason given'}</span>
            )}
          </td>
        </tr>
      )}
    />
  );
  if (groups === null) return table;
  return (
    <div data-testid="reachability-sources-summary">
      <p>
        <strong>{props.sources.length} sources, none answered.</strong>
      </p>
      <ul class="reach-evidence">
        {groups.map((g) => (
          <li key={g.kind}>
            {g.count} × {g.kind}{' '}
            <span class="muted">
              (e.g. {g.example.source}: {g.example.reason})
            </span>
          </li>
        ))}
      </ul>
      <details>
        <summary>Every source</summary>
        {table}
      </details>
    </div>
  );
}

/** A table of labelled facts, one a row. */
function FactTable(props: { readonly caption: string; readonly children: ComponentChildren }) {
  return (
    <table class="facts">
      <caption class="visually-hidden">{props.caption}</caption>
      <tbody>{props.children}</tbody>
    </table>
  );
}

function Fact(props: { readonly label: string; readonly children: ComponentChildren }) {
  return (
    <tr>
      <th scope="row">{props.label}</th>
      <td>{props.children}</td>
    </tr>
  );
}

/** A value with a coloured dot, so the state reads at a glance and still in words. */
function Toned(props: { readonly label: string; readonly tone: Tone }) {
  return <span class={`toned toned--${props.tone}`}>{props.label}</span>;
}

function AddressValue(props: { readonly address: string | null }) {
  return props.address === null ? <span class="muted">none found</span> : <code>{props.address}</code>;
}

function AddressList(props: { readonly addresses: readonly string[] }) {
  if (props.addresses.length === 0) return <span class="muted">none</span>;
  return (
    <ul class="reach-addresses">
      {props.addresses.map((a) => (
        <li key={a}>
          <code>{a}</code>
        </li>
      ))}
    </ul>
  );
}

/** Short visible tags; the ranges are the tell-tale of NAT layers (CGNAT: 100.64.0.0/10, RFC 6598). */
const hopRangeNotes: Record<ReturnType<typeof hopRange>, string | undefined> = {
  private: 'private',
  cgnat: 'CGNAT',
  other: undefined,
};

/** "this box → 192.168.1.1 → 100.64.0.1 → …": private and shared hops marked, silent hops as "?". */
function HopChain(props: {
  readonly path: Report['ipv4']['path'];
  readonly error: Report['ipv4']['pathError'];
}) {
  const { path, error } = props;
  if (path === null) {
    return <span class="muted">{error === null ? 'not traced' : `not traced: ${error}`}</span>;
  }
  return (
    <ol class="hops" aria-label="First hops from this box towards the internet">
      <li class="hops__hop hops__hop--self">this box</li>
      {path.map((hop, i) => {
        if (hop === null) {
          return (
            // A hop has no identity but its position in the path.
            <li key={i} class="hops__hop hops__hop--silent">
              <span aria-hidden="true">?</span>
              <span class="visually-hidden">hop {i + 1} did not answer</span>
            </li>
          );
        }
        const range = hopRange(hop);
        const note = hopRangeNotes[range];
        return (
          <li key={i} class={`hops__hop hops__hop--${range}`}>
            <code>{hop}</code>
            {note === undefined ? null : <span class="hops__note"> {note}</span>}
          </li>
        );
      })}
      <li class="hops__hop hops__hop--more">
        <span aria-hidden="true">…</span>
        <span class="visually-hidden">and on towards the internet</span>
      </li>
    </ol>
  );
}
