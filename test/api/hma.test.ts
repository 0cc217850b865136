/**
 * The HMA-compatible surface (docs/hma-api.md §9): same paths, parameters and JSON shapes as
 * HMA, so an HMA integration works by adding a bearer token. On both databases.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DIALECTS } from '../support/dialects.js';
import { multipart, startApi, type TestApi } from '../support/api.js';
import { PDQ_IMAGES, VIDEOS } from '../support/paths.js';

const H = 'd8f8f0cee0f4a84f0637022a078f67f0b36e2ed596621e1d33e6339c4e9c9b22';
const H_NEAR = 'd8f8f0cee0f4a84f0637022a038f67f0b36e2ed596631e1d33e6339c4e9c9b22';
const BRIDGE = join(PDQ_IMAGES, 'bridge-mods', 'aaa-orig.jpg');

describe.each(DIALECTS)('HMA compatibility on %s', (dialect) => {
  let api: TestApi;
  beforeAll(async () => {
    api = await startApi(dialect);
  });
  afterAll(() => api.close());

  it('banks: create (201), duplicate (403), bad names (400), list, get, rename, ratio, delete', async () => {
    expect((await api.call('GET', '/c/banks')).json()).toEqual([]);
    const created = await api.call('POST', '/c/banks', { name: 'MY_TEST_BANK_01' });
    expect(created.statusCode).toBe(201);
    expect(created.json()).toEqual({ matching_enabled_ratio: 1, name: 'MY_TEST_BANK_01' });
    expect((await api.call('POST', '/c/banks', { name: 'MY_TEST_BANK_01' })).statusCode).toBe(403);
    for (const bad of ['01_TEST_BANK', 'my_test_bank']) {
      const r = await api.call('POST', '/c/banks', { name: bad });
      expect(r.statusCode).toBe(400);
      expect(r.json().message).toBe('Bank names must be UPPER_WITH_UNDERSCORE');
    }
    expect((await api.call('POST', '/c/banks', { name: 'HALF', enabled_ratio: 0.5 })).json()).toEqual({ matching_enabled_ratio: 0.5, name: 'HALF' });
    expect((await api.call('GET', '/c/bank/HALF')).json()).toEqual({ matching_enabled_ratio: 0.5, name: 'HALF' });
    const missing = await api.call('GET', '/c/bank/NOPE');
    expect(missing.statusCode).toBe(404);
    expect(missing.json().message).toBe("bank 'NOPE' not found");
    expect((await api.call('PUT', '/c/bank/HALF', { name: 'RENAMED' })).json()).toEqual({ matching_enabled_ratio: 0.5, name: 'RENAMED' });
    expect((await api.call('GET', '/c/bank/HALF')).statusCode).toBe(404);
    expect((await api.call('PUT', '/c/bank/RENAMED', { enabled: false })).json()).toEqual({ matching_enabled_ratio: 0, name: 'RENAMED' });
    expect((await api.call('PUT', '/c/bank/RENAMED', { name: 'MY_TEST_BANK_01' })).statusCode).toBe(403);
    const gone = await api.call('PUT', '/c/bank/GONE', {});
    expect([gone.statusCode, gone.json().message]).toEqual([404, 'Bank not found']);
    expect((await api.call('DELETE', '/c/bank/RENAMED')).json()).toEqual({ message: 'Done' });
    expect((await api.call('DELETE', '/c/bank/NEVER_EXISTED')).json()).toEqual({ message: 'Done' });
    expect((await api.call('GET', '/c/banks')).json().map((b: { name: string }) => b.name)).toEqual(['MY_TEST_BANK_01']);
  });

  it('signals and content: add, get (with/without signals), disable, delete', async () => {
    await api.call('POST', '/c/banks', { name: 'TEST_BANK' });
    const added = await api.call('POST', '/c/bank/TEST_BANK/signal', { pdq: H, note: 'campaign ABC' });
    expect(added.statusCode).toBe(200);
    const { id } = added.json();
    expect(added.json()).toEqual({ id, signals: { pdq: H } });
    expect((await api.call('POST', '/c/bank/TEST_BANK/signal', { video_md5: ' D41D8CD98F00B204E9800998ECF8427E ' })).json().signals).toEqual({
      video_md5: 'd41d8cd98f00b204e9800998ecf8427e',
    });
    expect((await api.call('POST', '/c/bank/TEST_BANK/signal', {})).json().message).toBe('No signals given');
    expect((await api.call('POST', '/c/bank/TEST_BANK/signal', { nope: 'x' })).json().message).toBe('No such signal type nope');
    const banana = await api.call('POST', '/c/bank/TEST_BANK/signal', { pdq: 'banana' });
    expect([banana.statusCode, banana.json().message]).toEqual([400, expect.stringMatching(/^Invalid signal: /)]);
    expect((await api.call('POST', '/c/bank/NOPE/signal', { pdq: H })).statusCode).toBe(404);

    const content = await api.call('GET', `/c/bank/TEST_BANK/content/${id}`);
    expect(content.json()).toEqual({
      bank: { matching_enabled_ratio: 1, name: 'TEST_BANK' },
      disable_until_ts: 1,
      id,
      note: 'campaign ABC',
      original_media_uri: null,
    });
    expect((await api.call('GET', `/c/bank/TEST_BANK/content/${id}?include_signals=true`)).json().signals).toEqual({ pdq: H });
    expect((await api.call('GET', '/c/bank/TEST_BANK/content/999999')).json().message).toBe("content '999999' not found");

    const in1y = Math.floor(Date.now() / 1000) + 365 * 24 * 3600;
    const put = await api.call('PUT', `/c/bank/TEST_BANK/content/${id}`, { disable_until_ts: in1y });
    expect(put.json()).toEqual({
      bank: { matching_enabled_ratio: 1, name: 'TEST_BANK' },
      collab_metadata: {},
      disable_until_ts: in1y,
      id,
      note: 'campaign ABC',
      original_media_uri: null,
      user_metadata: null,
    });
    expect((await api.call('PUT', `/c/bank/TEST_BANK/content/${id}`, { disable_until_ts: 9999999999 })).statusCode).toBe(400);
    expect((await api.call('PUT', `/c/bank/TEST_BANK/content/${id}`, { disable_until_ts: -1 })).statusCode).toBe(400);
    expect((await api.call('PUT', `/c/bank/TEST_BANK/content/${id}`, { note: '' })).json().note).toBeNull();

    // Disabled content: gone from /m/lookup, still in /m/raw_lookup.
    await api.call('PUT', `/c/bank/TEST_BANK/content/${id}`, { disable_until_ts: 0 });
    expect((await api.call('GET', `/m/lookup?signal_type=pdq&signal=${H}`)).json()).toEqual({});
    expect((await api.call('GET', `/m/raw_lookup?signal_type=pdq&signal=${H}`)).json()).toEqual({ matches: [id] });
    await api.call('PUT', `/c/bank/TEST_BANK/content/${id}`, { disable_until_ts: 1 });

    expect((await api.call('DELETE', `/c/bank/TEST_BANK/content/${id}`)).json()).toEqual({ deleted: 1 });
    expect((await api.call('DELETE', `/c/bank/TEST_BANK/content/${id}`)).json()).toEqual({ deleted: 0 });
    expect((await api.call('GET', `/m/raw_lookup?signal_type=pdq&signal=${H}`)).json()).toEqual({ matches: [] });
  });

  it('lookups: bank maps with string distances, raw lookups, banks filter, coin-flip and bypass, errors', async () => {
    await api.call('POST', '/c/banks', { name: 'BANK_A' });
    await api.call('POST', '/c/banks', { name: 'BANK_ZERO', enabled_ratio: 0 });
    const a = (await api.call('POST', '/c/bank/BANK_A/signal', { pdq: H })).json().id;
    const z = (await api.call('POST', '/c/bank/BANK_ZERO/signal', { pdq: H })).json().id;
    // The new signal matches at once (HMA: after the next index build).
    expect((await api.call('GET', `/m/lookup?signal_type=pdq&signal=${H_NEAR}`)).json()).toEqual({ BANK_A: [{ bank_content_id: a, distance: '2' }] });
    const raw = (await api.call('GET', `/m/raw_lookup?signal_type=pdq&signal=${H_NEAR}&include_distance=true`)).json();
    expect(raw.matches).toEqual(
      expect.arrayContaining([
        { bank_content_id: a, distance: '2' },
        { bank_content_id: z, distance: '2' },
      ]),
    );
    expect((await api.call('GET', `/m/raw_lookup?signal_type=pdq&signal=${H}&banks=BANK_ZERO`)).json()).toEqual({ matches: [z] });
    expect((await api.call('GET', `/m/raw_lookup?signal_type=pdq&signal=${H}&banks=OTHER`)).json()).toEqual({ matches: [] });
    expect((await api.call('GET', `/m/lookup?signal_type=pdq&signal=${H}&bypass_coinflip=true`)).json()).toEqual({
      BANK_A: [{ bank_content_id: a, distance: '0' }],
      BANK_ZERO: [{ bank_content_id: z, distance: '0' }],
    });
    const seeded = await Promise.all([1, 2, 3].map(() => api.call('GET', `/m/lookup?signal_type=pdq&signal=${H}&seed=abc`)));
    expect(new Set(seeded.map((r) => r.body)).size).toBe(1);
    expect((await api.call('GET', '/m/lookup')).json().message).toBe('Either url or both signal and signal_type are required');
    expect((await api.call('GET', `/m/lookup?signal_type=nope&signal=${H}`)).json().message).toBe("No such SignalType 'nope'");
    expect((await api.call('GET', '/m/raw_lookup?signal_type=pdq&signal=banana')).json().message).toMatch(/^invalid signal: /);
  });

  it('POST /m/lookup and /h/hash take one file named by its content type', async () => {
    const photo = multipart('photo', 'bridge.jpg', readFileSync(BRIDGE));
    expect((await api.call('POST', '/h/hash', photo.payload, api.adminToken, photo.headers)).json()).toEqual({ pdq: H });
    const lookup = await api.call('POST', '/m/lookup', photo.payload, api.adminToken, photo.headers);
    expect(lookup.json().pdq.BANK_A[0].distance).toBe('0');
    const video = multipart('video', 'clip.mp4', readFileSync(join(VIDEOS, 'doorknob-hd-no-bar.mp4')));
    const hashed = (await api.call('POST', '/h/hash?types=video_md5', video.payload, api.adminToken, video.headers)).json();
    expect(Object.keys(hashed)).toEqual(['video_md5']);
    const wrong = multipart('file', 'x.jpg', readFileSync(BRIDGE));
    expect((await api.call('POST', '/h/hash', wrong.payload, api.adminToken, wrong.headers)).json().message).toBe("no such content_type: 'file'");
    const none = await api.call('POST', '/h/hash', '', api.adminToken, { 'content-type': 'multipart/form-data; boundary=x' });
    expect(none.statusCode).toBe(400);
  });

  it('adds content from an upload with metadata and note', async () => {
    const form = multipart('photo', 'bridge.jpg', readFileSync(BRIDGE), {
      note: 'from upload',
      metadata: JSON.stringify({ content_id: 'ext-123', json: { source: 'test' } }),
    });
    const r = await api.call('POST', '/c/bank/BANK_A/content', form.payload, api.adminToken, form.headers);
    expect(r.statusCode).toBe(200);
    expect(r.json().signals).toEqual({ pdq: H });
    const got = (await api.call('GET', `/c/bank/BANK_A/content/${r.json().id}`)).json();
    expect(got.metadata).toEqual({ collab: null, content_id: 'ext-123', content_uri: null, json: { source: 'test' } });
    expect(got.note).toBe('from upload');
    const bad = multipart('photo', 'b.jpg', readFileSync(BRIDGE), { metadata: '{"invalid_metadata": 5}' });
    expect((await api.call('POST', '/c/bank/BANK_A/content', bad.payload, api.adminToken, bad.headers)).statusCode).toBe(400);
    expect((await api.call('POST', '/c/bank/BANK_A/content', {})).json().message).toBe('Neither `url` nor multipart file upload was received');
  });

  it('compare, index status, status, signal and content types', async () => {
    expect((await api.call('POST', '/m/compare', { pdq: [H, H_NEAR] })).json()).toEqual({ pdq: [true, { distance: 2 }] });
    expect((await api.call('POST', '/m/compare', { pdq: [H, '0'.repeat(64)] })).json().pdq[0]).toBe(false);
    expect((await api.call('POST', '/m/compare', [H])).statusCode).toBe(400);
    expect((await api.call('POST', '/m/compare', { pdq: [H] })).json().message).toBe('Comparison hash list length must be exactly 2');
    expect((await api.call('POST', '/m/compare', {})).json()).toEqual({});
    const status = (await api.call('GET', '/m/index/status')).json();
    expect(Object.keys(status).sort()).toEqual(['pdq', 'video_md5', 'vpdq']);
    expect(status.pdq).toMatchObject({ present: true });
    expect(status.vpdq).toEqual({ built_to: -1, present: false, size: 0 });
    expect((await api.call('GET', '/m/index/status?signal_type=nope')).json().message).toBe("No such signal type 'nope'");
    const alive = await api.call('GET', '/status');
    expect([alive.statusCode, alive.body]).toEqual([200, 'I-AM-ALIVE']);
    expect((await api.call('GET', '/c/signal_type')).json().map((t: { name: string }) => t.name)).toEqual(['pdq', 'video_md5', 'vpdq']);
    expect((await api.call('GET', '/c/content_type')).json()).toEqual([
      { enabled: true, name: 'photo' },
      { enabled: true, name: 'video' },
    ]);
    const map = (await api.call('GET', '/site-map')).json();
    expect(map).toEqual([...map].sort());
    expect(map).toContain('/m/lookup');
  });

  it('vPDQ in HMA form: a JSON array of "hash,quality,timestamp"', async () => {
    await api.call('POST', '/c/banks', { name: 'VIDEOS' });
    const frames = readFileSync(join(VIDEOS, 'pattern-sd-grey-bar.vpdq.txt'), 'utf8')
      .trim()
      .split('\n')
      .map((l) => l.split(','));
    const hma = JSON.stringify(frames.map(([, q, h, t]) => `${h},${q},${t}`));
    const added = await api.call('POST', '/c/bank/VIDEOS/signal', { vpdq: hma });
    expect(added.statusCode).toBe(200);
    const r = (await api.call('GET', `/m/lookup?signal_type=vpdq&signal=${encodeURIComponent(hma)}`)).json();
    expect(r.VIDEOS[0].distance).toBe('100%[100%]');
  });
});
