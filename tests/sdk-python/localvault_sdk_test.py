"""The official Python SDK (azure-keyvault-secrets, azure-identity on MSAL) against localvault.

The server's URL, tenant, client and certificate come from the environment
(run-sdk-python-test.sh). MSAL reads the tenant's OpenID configuration from localvault before
its first token request; instance discovery is off because it would ask login.microsoftonline.com.
"""
import os
import time
import unittest

import msal
import requests
from azure.core.exceptions import (ClientAuthenticationError, ResourceExistsError,
                                   ResourceNotFoundError)
from azure.identity import ClientSecretCredential
from azure.keyvault.secrets import SecretClient

URL = os.environ["LOCALVAULT_URL"]
TENANT = os.environ["LOCALVAULT_TENANT"]
CLIENT_ID = os.environ["LOCALVAULT_CLIENT_ID"]
CLIENT_SECRET = os.environ["LOCALVAULT_CLIENT_SECRET"]
CERT = os.environ["LOCALVAULT_CERT"]
RUN = format(int(time.time() * 1000) % 36**6, "x")
FAST = {"_polling_interval": 0.05}


def credential(tenant=TENANT, **kwargs):
    # The recipe of docs/localvault.md: localvault is the authority, without instance discovery.
    return ClientSecretCredential(tenant, CLIENT_ID, CLIENT_SECRET, authority=URL + "/",
                                  instance_discovery=False, **kwargs)


def client(**kwargs):
    # 127.0.0.1 can never be a subdomain of the challenge's resource, so that check is off.
    return SecretClient(URL, credential(connection_verify=CERT), verify_challenge_resource=False,
                        connection_verify=CERT, **kwargs)


def retry_while_conflict(operation, attempts=200):
    for _ in range(attempts):
        try:
            return operation()
        except ResourceExistsError:
            time.sleep(0.02)
    return operation()


class SeedFlow(unittest.TestCase):
    def test_set_get_backup_delete_purge_restore_get(self):
        c = client()
        name = "seed-" + RUN
        created = c.set_secret(name, "my secret value")
        self.assertEqual(created.name, name)
        self.assertEqual(created.value, "my secret value")
        self.assertEqual(len(created.properties.version), 32)
        fetched = c.get_secret(name)
        self.assertEqual(fetched.value, "my secret value")
        self.assertEqual(fetched.properties.version, created.properties.version)
        backup = c.backup_secret(name)
        self.assertIsInstance(backup, bytes)
        self.assertGreater(len(backup), 32)

        deleted = c.begin_delete_secret(name, **FAST)
        deleted.wait()
        self.assertTrue(deleted.done())
        result = deleted.result()
        self.assertEqual(result.name, name)
        self.assertTrue(result.recovery_id.endswith("/deletedsecrets/" + name))
        self.assertIsNotNone(result.scheduled_purge_date)
        self.assertEqual(c.get_deleted_secret(name).name, name)

        c.purge_deleted_secret(name)
        # Right after the purge the name is still settling: restore answers 409 for a while.
        restored = retry_while_conflict(lambda: c.restore_secret_backup(backup))
        self.assertEqual(restored.name, name)
        self.assertEqual(restored.version, created.properties.version)
        self.assertEqual(c.get_secret(name).value, "my secret value")


class Paging(unittest.TestCase):
    def test_list_follows_next_links_over_several_pages(self):
        c = client()
        names = {"page-{}-{}".format(RUN, i) for i in range(5)}
        for n in names:
            c.set_secret(n, "v")
        pages = list(c.list_properties_of_secrets(max_page_size=2).by_page())
        self.assertGreaterEqual(len(pages), 3)
        listed = {p.name for page in pages for p in page}
        self.assertTrue(names <= listed, sorted(names - listed))
        versions = list(c.list_properties_of_secret_versions(sorted(names)[0]))
        self.assertEqual(len(versions), 1)


class Errors(unittest.TestCase):
    def test_a_missing_secret_is_resource_not_found(self):
        with self.assertRaises(ResourceNotFoundError) as caught:
            client().get_secret("missing-" + RUN)
        self.assertEqual(caught.exception.status_code, 404)
        self.assertEqual(caught.exception.error.code, "SecretNotFound")

    def test_an_unknown_tenant_has_no_authority_configuration(self):
        with self.assertRaises(ClientAuthenticationError) as caught:
            credential("99999999-0000-0000-0000-000000000000", connection_verify=CERT).get_token(
                "https://vault.azure.net/.default")
        self.assertIn("Unable to get authority configuration", str(caught.exception))

    def test_a_wrong_secret_is_refused(self):
        wrong = ClientSecretCredential(TENANT, CLIENT_ID, "not-the-secret", authority=URL + "/",
                                       instance_discovery=False, connection_verify=CERT)
        with self.assertRaises(ClientAuthenticationError) as caught:
            wrong.get_token("https://vault.azure.net/.default")
        self.assertIn("AADSTS7000215", str(caught.exception))


class Trust(unittest.TestCase):
    def test_the_certificate_may_be_trusted_through_requests_ca_bundle(self):
        saved = os.environ.get("REQUESTS_CA_BUNDLE")
        os.environ["REQUESTS_CA_BUNDLE"] = CERT
        try:
            c = SecretClient(URL, credential(), verify_challenge_resource=False)
            name = "bundle-" + RUN
            c.set_secret(name, "trusted")
            self.assertEqual(c.get_secret(name).value, "trusted")
        finally:
            if saved is None:
                del os.environ["REQUESTS_CA_BUNDLE"]
            else:
                os.environ["REQUESTS_CA_BUNDLE"] = saved


class Discovery(unittest.TestCase):
    def test_msal_can_use_localvaults_instance_discovery(self):
        session = requests.Session()
        session.verify = CERT
        app = msal.ConfidentialClientApplication(
            CLIENT_ID, client_credential=CLIENT_SECRET, authority=URL + "/" + TENANT,
            http_client=session, instance_discovery=URL + "/common/discovery/instance")
        result = app.acquire_token_for_client(["https://vault.azure.net/.default"])
        self.assertIn("access_token", result, result.get("error_description"))
        self.assertEqual(app.authority.token_endpoint,
                         URL + "/" + TENANT + "/oauth2/v2.0/token")


if __name__ == "__main__":
    unittest.main(verbosity=2)
