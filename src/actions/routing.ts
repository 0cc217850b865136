/**
 * Jurisdiction routing: which country a report belongs to, and which member node receives it.
 * The country comes from the reported user's IP capture events (offline IP database), else from
 * the account's country, else from where the content's URL is hosted; the receiving authority is
 * the peer registered for that country — or the CyberTipline (NCMEC), where a country's authority
 * is set to it — else the configured fall-back (secretariat / INTERPOL contact). A report is a *referral* when the jurisdiction is known from the user (IP or
 * account) and an authority of that country receives it; otherwise it is *informational*.
 */
import { lookup } from 'node:dns/promises';
import { isIP } from 'node:net';
import { countryOfIp } from '../geo/ip-country.js';
import { type Executor, listAuthorities, type ReportDestination } from '../store/index.js';
import type { ReportBody } from './report-model.js';

export interface Route {
  country: string | null;
  basis: 'ip' | 'account' | 'url' | null;
  /** The peer it goes to (null: the CyberTipline, or nobody). */
  routed_to: string | null;
  /** 'peer' (routed_to), 'cybertipline' (the CyberTipline submission), or null: kept on this node. */
  destination: ReportDestination | null;
  kind: 'referral' | 'informational';
  /** How the decision was reached, for the report's reader. */
  explanation: string;
}

/** The country where a URL's host is served from (DNS for names; null when unknown or private). */
export async function hostingCountry(url: string): Promise<string | null> {
  let host: string;
  try {
    host = new URL(url).hostname.replace(/^\[|\]$/g, '');
  } catch {
    return null;
  }
  if (isIP(host)) return countryOfIp(host);
  const addresses = await lookup(host, { all: true }).catch(() => []);
  for (const a of addresses) {
    const c = countryOfIp(a.address);
    if (c) return c;
  }
  return null;
}

/** Finds the jurisdiction of a report and its receiving authority. */
export async function routeReport(db: Executor, body: ReportBody, fallbackPeer: string | null): Promise<Route> {
  let country: string | null = null;
  let basis: Route['basis'] = null;
  for (const e of body.reported_user?.ip_capture_events ?? []) {
    country = countryOfIp(e.ip);
    if (country) {
      basis = 'ip';
      break;
    }
  }
  if (!country && body.reported_user?.country) [country, basis] = [body.reported_user.country, 'account'];
  if (!country) {
    const urls = [
      ...(body.files ?? []).map((f) => f.location_url),
      ...(body.internet_details ?? []).filter((d) => d.type === 'web_page').map((d) => d.value),
    ].filter((u): u is string => Boolean(u));
    for (const u of urls) {
      country = await hostingCountry(u);
      if (country) {
        basis = 'url';
        break;
      }
    }
  }
  const registered = country ? (await listAuthorities(db)).find((a) => a.country === country) : undefined;
  const toCybertipline = registered?.destination === 'cybertipline';
  const authority = registered?.peer ?? null;
  const routedTo = toCybertipline ? null : (authority ?? fallbackPeer);
  const kind = (authority || toCybertipline) && (basis === 'ip' || basis === 'account') ? 'referral' : 'informational';
  const where = country
    ? `${country} (from the ${basis === 'ip' ? "reported user's IP address" : basis === 'account' ? "account's country" : "URL's hosting"})`
    : 'no country could be determined';
  const to = toCybertipline
    ? `sent to the CyberTipline (NCMEC), ${country}'s receiving authority`
    : authority
      ? `sent to ${authority}, ${country}'s receiving authority`
      : routedTo
        ? `no receiving authority registered${country ? ` for ${country}` : ''}: sent to the fall-back contact ${routedTo}`
        : 'no receiving authority and no fall-back contact: kept on this node';
  const destination = toCybertipline ? 'cybertipline' : routedTo ? 'peer' : null;
  return { country, basis, routed_to: routedTo, destination, kind, explanation: `${where}; ${to}; ${kind}` };
}
