// The official @azure/keyvault-secrets client against a running localvault.
// The server's URL, credentials and certificate come from the environment (run-sdk-js-test.sh).
import { test } from "node:test";
import assert from "node:assert/strict";
import { SecretClient } from "@azure/keyvault-secrets";

const vaultUrl = process.env.LOCALVAULT_URL;
const tenant = process.env.LOCALVAULT_TENANT;
const clientId = process.env.LOCALVAULT_CLIENT_ID;
const clientSecret = process.env.LOCALVAULT_CLIENT_SECRET;
assert.ok(vaultUrl && tenant && clientId && clientSecret, "LOCALVAULT_* variables must be set");

// A minimal TokenCredential: client credentials against localvault's own token endpoint.
const credential = {
  async getToken(scopes, options) {
    const tenantId = options?.tenantId ?? tenant;
    const form = new URLSearchParams({
      grant_type: "client_credentials",
      client_id: clientId,
      client_secret: clientSecret,
      scope: Array.isArray(scopes) ? scopes.join(" ") : scopes,
    });
    const response = await fetch(`${vaultUrl}/${tenantId}/oauth2/v2.0/token`, {
      method: "POST",
      headers: { "Content-Type": "application/x-www-form-urlencoded" },
      body: form,
    });
    const body = await response.json();
    if (!response.ok) throw new Error(`token request failed: ${body.error}`);
    return { token: body.access_token, expiresOnTimestamp: Date.now() + body.expires_in * 1000 };
  },
};

// localvault serves 127.0.0.1, which can never be a subdomain of the challenge resource.
const client = new SecretClient(vaultUrl, credential, { disableChallengeResourceVerification: true });
const run = Date.now().toString(36);
const name = (stem) => `${stem}-${run}`;
const fast = { intervalInMs: 20 };

async function expectError(promise, statusCode, code) {
  await assert.rejects(promise, (error) => {
    assert.equal(error.statusCode, statusCode, error.message);
    assert.equal(error.code, code);
    return true;
  });
}

async function retryWhileConflict(operation) {
  for (let attempt = 0; ; attempt++) {
    try {
      return await operation();
    } catch (error) {
      if (error.statusCode !== 409 || attempt > 100) throw error;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }
}

test("seed flow: set, get, backup, delete and wait, purge, restore, get", async () => {
  const n = name("seed");
  const set = await client.setSecret(n, "seed-value", { contentType: "text/plain", tags: { a: "b" } });
  assert.equal(set.value, "seed-value");
  assert.match(set.properties.version, /^[0-9a-f]{32}$/);
  const got = await client.getSecret(n);
  assert.equal(got.value, "seed-value");
  assert.equal(got.properties.contentType, "text/plain");
  const backup = await client.backupSecret(n);
  assert.ok(backup instanceof Uint8Array && backup.length > 0);
  const poller = await client.beginDeleteSecret(n, fast);
  const deleted = await poller.pollUntilDone();
  assert.equal(deleted.name, n);
  assert.equal(deleted.properties.recoveryId, `${vaultUrl}/deletedsecrets/${n}`);
  await client.purgeDeletedSecret(n);
  const restored = await retryWhileConflict(() => client.restoreSecretBackup(backup));
  assert.equal(restored.name, n);
  assert.equal(restored.version, set.properties.version);
  assert.deepEqual(restored.tags, { a: "b" });
  assert.equal((await client.getSecret(n)).value, "seed-value");
});

test("recover brings back a deleted secret with its versions", async () => {
  const n = name("recover");
  await client.setSecret(n, "one");
  await client.setSecret(n, "two");
  await (await client.beginDeleteSecret(n, fast)).pollUntilDone();
  const deleted = await client.getDeletedSecret(n);
  assert.ok(deleted.properties.scheduledPurgeDate > deleted.properties.deletedOn);
  const recovered = await (await client.beginRecoverDeletedSecret(n, fast)).pollUntilDone();
  assert.equal(recovered.name, n);
  assert.equal((await client.getSecret(n)).value, "two");
  let versions = 0;
  for await (const _ of client.listPropertiesOfSecretVersions(n)) versions++;
  assert.equal(versions, 2);
});

test("update changes properties; a disabled secret's value is 403 SecretDisabled", async () => {
  const n = name("update");
  const set = await client.setSecret(n, "v");
  const updated = await client.updateSecretProperties(n, set.properties.version, {
    contentType: "application/json",
    tags: { env: "test" },
    enabled: false,
  });
  assert.equal(updated.contentType, "application/json");
  assert.deepEqual(updated.tags, { env: "test" });
  assert.equal(updated.enabled, false);
  await expectError(client.getSecret(n), 403, "Forbidden");
  await client.updateSecretProperties(n, set.properties.version, { enabled: true });
  assert.equal((await client.getSecret(n, { version: set.properties.version })).value, "v");
});

test("versions are listed with their ids", async () => {
  const n = name("versions");
  const ids = [];
  for (const v of ["a", "b", "c"]) ids.push((await client.setSecret(n, v)).properties.version);
  const listed = [];
  for await (const p of client.listPropertiesOfSecretVersions(n)) listed.push(p.version);
  assert.deepEqual(listed.sort(), ids.sort());
});

test("paging walks more than 25 secrets through nextLink", async () => {
  const prefix = name("page");
  for (let i = 0; i < 30; i++) await client.setSecret(`${prefix}-${i}`, "x");
  let pages = 0;
  let seen = 0;
  for await (const page of client.listPropertiesOfSecrets().byPage()) {
    pages++;
    seen += page.filter((p) => p.name.startsWith(prefix)).length;
  }
  assert.equal(seen, 30);
  assert.ok(pages >= 2, `expected several pages, got ${pages}`);
  let deletedSeen = 0;
  await (await client.beginDeleteSecret(`${prefix}-0`, fast)).pollUntilDone();
  for await (const d of client.listDeletedSecrets()) if (d.name === `${prefix}-0`) deletedSeen++;
  assert.equal(deletedSeen, 1);
});

test("error cases answer with the service's status and code", async () => {
  await expectError(client.getSecret(name("missing")), 404, "SecretNotFound");
  await expectError(client.getDeletedSecret(name("missing")), 404, "SecretNotFound");
  await expectError(client.backupSecret(name("missing")), 404, "SecretNotFound");

  const n = name("errors");
  await client.setSecret(n, "v");
  const backup = await client.backupSecret(n);
  await expectError(client.restoreSecretBackup(backup), 409, "Conflict");
  await expectError(client.restoreSecretBackup(new Uint8Array([1, 2, 3])), 400, "Malformed backup blob");

  // Right after DELETE the name is still being deleted: purge answers 409.
  await client.beginDeleteSecret(n, fast);
  await expectError(client.purgeDeletedSecret(n), 409, "Conflict");
  await new Promise((resolve) => setTimeout(resolve, 150));
  await expectError(client.setSecret(n, "again"), 409, "Conflict");
  await expectError(client.restoreSecretBackup(backup), 409, "Conflict");
  await expectError(client.setSecret("bad_name", "x"), 400, "BadParameter");
});
