// The seed flow of the official @azure/keyvault-secrets client through `kvharness proxy`, which
// plays its vault and its authority. The same file records (the proxy forwards to localvault) and
// replays (the proxy answers from the fixture, offline); it writes what the client saw to
// $PROXY_RESULT_FILE so that the two runs can be compared.
import { test } from "node:test";
import assert from "node:assert/strict";
import { writeFileSync } from "node:fs";
import { SecretClient } from "@azure/keyvault-secrets";

const vaultUrl = process.env.PROXY_URL;
const run = process.env.PROXY_RUN_ID;
const resultFile = process.env.PROXY_RESULT_FILE;
assert.ok(vaultUrl && run && resultFile, "PROXY_URL, PROXY_RUN_ID and PROXY_RESULT_FILE must be set");

// Client credentials against the proxy as the authority; the proxy passes them on (record) or
// answers with a token of its own (playback).
const credential = {
  async getToken(scopes, options) {
    const form = new URLSearchParams({
      grant_type: "client_credentials",
      client_id: "sdk-js-proxy",
      client_secret: process.env.PROXY_CLIENT_SECRET,
      scope: Array.isArray(scopes) ? scopes.join(" ") : scopes,
    });
    const response = await fetch(`${vaultUrl}/${options?.tenantId ?? "common"}/oauth2/v2.0/token`, {
      method: "POST",
      headers: { "Content-Type": "application/x-www-form-urlencoded" },
      body: form,
    });
    const body = await response.json();
    if (!response.ok) throw new Error(`token request failed: ${JSON.stringify(body)}`);
    return { token: body.access_token, expiresOnTimestamp: Date.now() + body.expires_in * 1000 };
  },
};

// 127.0.0.1 can never be a subdomain of the challenge resource.
const client = new SecretClient(vaultUrl, credential, { disableChallengeResourceVerification: true });
const fast = { intervalInMs: 20 };

async function retryWhileConflict(operation, seen) {
  for (let attempt = 0; ; attempt++) {
    try {
      return await operation();
    } catch (error) {
      if (error.statusCode !== 409 || attempt > 100) throw error;
      seen.conflicts++;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }
}

test("seed flow through kvharness proxy: set, get, backup, delete and poll, purge, restore, get", async () => {
  const n = `proxy-seed-${run}`;
  const origin = (text) => text.replaceAll(vaultUrl, "PROXY");
  const result = { name: n };
  const set = await client.setSecret(n, "seed-value", { contentType: "text/plain", tags: { a: "b" } });
  result.set = { value: set.value, version: set.properties.version, id: origin(set.properties.id) };
  const got = await client.getSecret(n);
  assert.equal(got.value, "seed-value");
  result.get = { value: got.value, contentType: got.properties.contentType };
  const backup = await client.backupSecret(n);
  assert.ok(backup instanceof Uint8Array && backup.length > 0);
  result.backupBytes = backup.length;
  const deleted = await (await client.beginDeleteSecret(n, fast)).pollUntilDone();
  assert.equal(deleted.properties.recoveryId, `${vaultUrl}/deletedsecrets/${n}`);
  result.deleted = { name: deleted.name, recoveryId: origin(deleted.properties.recoveryId) };
  await client.purgeDeletedSecret(n);
  const seen = { conflicts: 0 };
  const restored = await retryWhileConflict(() => client.restoreSecretBackup(backup), seen);
  assert.equal(restored.version, set.properties.version);
  result.restored = { name: restored.name, version: restored.version, tags: restored.tags };
  result.restoreConflicts = seen.conflicts;
  const again = await client.getSecret(n);
  assert.equal(again.value, "seed-value");
  result.final = { value: again.value };
  writeFileSync(resultFile, JSON.stringify(result, null, 2) + "\n");
});
