// The demo page's script: wires the SDK to a search box and a file input. Served by `alliance serve` at /demo/.
import { AllianceCheck, renderMessage } from '/demo/sdk/alliance-check.js';

const $ = (id) => document.getElementById(id);
const fromHash = new URLSearchParams(location.hash.slice(1));
if (fromHash.get('token')) {
  sessionStorage.setItem('alliance-demo-token', fromHash.get('token'));
  history.replaceState(null, '', location.pathname); // the token does not stay in the address bar
}
$('token').value = sessionStorage.getItem('alliance-demo-token') ?? '';
$('token').addEventListener('change', () => {
  sessionStorage.setItem('alliance-demo-token', $('token').value.trim());
  void checkRole();
});

/** A page anyone can read holds its token in plain sight: it should be a checker's, which can do nothing but check. */
async function checkRole() {
  const warning = $('token-warning');
  warning.hidden = true;
  delete warning.dataset.checked;
  const token = $('token').value.trim();
  if (!token) return;
  const res = await fetch('/api/v1/whoami', { headers: { authorization: `Bearer ${token}` } });
  const who = await res.json().catch(() => ({}));
  if (!res.ok) warning.textContent = `The node refused this token: ${who.message ?? res.status}`;
  else if (who.role !== 'checker')
    warning.textContent = `This token (role ${who.role}) can do more than check: give a browser a checker token (alliance token create --member <platform> --role checker).`;
  else {
    warning.dataset.checked = 'checker';
    return;
  }
  warning.dataset.checked = 'warned';
  warning.hidden = false;
}
void checkRole();

const COUNTRIES = [
  '',
  'AL',
  'AM',
  'AT',
  'AU',
  'BA',
  'BE',
  'BG',
  'CA',
  'CH',
  'CR',
  'CY',
  'CZ',
  'DE',
  'DK',
  'EE',
  'ES',
  'FI',
  'FR',
  'GB',
  'GE',
  'GH',
  'GR',
  'HR',
  'HU',
  'IE',
  'IL',
  'IT',
  'JP',
  'KH',
  'KR',
  'LT',
  'LU',
  'LV',
  'MD',
  'ME',
  'MT',
  'MX',
  'NG',
  'NL',
  'NO',
  'NZ',
  'PH',
  'PL',
  'PT',
  'RO',
  'RS',
  'SE',
  'SI',
  'SK',
  'TH',
  'TR',
  'UA',
  'US',
  'VN',
  'XK',
];
const names = new Intl.DisplayNames(['en'], { type: 'region' });
for (const c of COUNTRIES) $('country').append(new Option(c ? `${names.of(c)} (${c})` : '(unknown)', c));

/** A client for the current settings (a new one when they changed). */
let client;
let clientFor = '';
function alliance() {
  const settings = JSON.stringify([$('country').value, $('language').value.trim(), $('audience').value]);
  if (client && settings === clientFor) return client;
  client?.close();
  clientFor = settings;
  client = new AllianceCheck({
    token: () => $('token').value.trim(),
    country: $('country').value || undefined,
    language: $('language').value.trim() || undefined,
    audience: $('audience').value,
  });
  return client;
}
const fail = (el, err) => {
  el.textContent = `Error: ${err.message}`;
  el.className = 'error';
};

$('search-form').addEventListener('submit', async (event) => {
  event.preventDefault();
  const status = $('search-status');
  status.className = '';
  status.textContent = 'Checking…';
  $('search-message').replaceChildren();
  try {
    const answer = await alliance().checkText($('query').value);
    status.textContent = answer.match ? 'This search is stopped.' : 'No warning for this search: results would show here.';
    renderMessage($('search-message'), answer);
  } catch (err) {
    fail(status, err);
  }
});

$('image').addEventListener('change', async () => {
  const file = $('image').files[0];
  const status = $('upload-status');
  status.className = '';
  $('upload-message').replaceChildren();
  $('hashes').hidden = true;
  if (!file) return;
  status.textContent = 'Hashing in your browser…';
  try {
    const answer = await alliance().checkImage(file);
    $('hash-pdq').textContent = answer.hashes.pdq;
    $('hash-quality').textContent = String(answer.hashes.quality);
    $('hash-sha256').textContent = answer.hashes.sha256;
    $('hashes').hidden = false;
    status.textContent = answer.action === 'block' ? 'Upload blocked.' : 'Upload allowed: the image would be sent now.';
    renderMessage($('upload-message'), answer);
  } catch (err) {
    fail(status, err);
  }
});

// For tests and the curious: the SDK's hashing, on any Blob.
window.allianceDemo = { hash: (blob) => alliance().hashImage(blob) };
