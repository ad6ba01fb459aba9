"""The seed flow of the official Python SDK through `kvharness proxy`, its vault and authority.

The same script records (the proxy forwards to localvault) and replays (the proxy answers from
the fixture, offline); it writes what the client saw to PROXY_RESULT_FILE so that the two runs
can be compared (run-sdk-python-proxy-test.sh).
"""
import json
import os
import sys
import time

from azure.core.exceptions import ResourceExistsError
from azure.identity import ClientSecretCredential
from azure.keyvault.secrets import SecretClient

URL = os.environ["PROXY_URL"]
CERT = os.environ["PROXY_CERT"]
RUN = os.environ["PROXY_RUN_ID"]
FAST = {"_polling_interval": 0.05}

credential = ClientSecretCredential(os.environ["PROXY_TENANT"], "sdk-python-proxy",
                                    os.environ["PROXY_CLIENT_SECRET"], authority=URL + "/",
                                    instance_discovery=False, connection_verify=CERT)
# 127.0.0.1 can never be a subdomain of the challenge's resource, so that check is off.
client = SecretClient(URL, credential, verify_challenge_resource=False, connection_verify=CERT)


def main():
    name = "proxy-seed-" + RUN
    result = {"name": name}
    created = client.set_secret(name, "seed value")
    result["set"] = {"value": created.value, "version": created.properties.version,
                     "id": created.id.replace(URL, "PROXY")}
    fetched = client.get_secret(name)
    assert fetched.value == "seed value", fetched.value
    result["get"] = fetched.value
    backup = client.backup_secret(name)
    result["backup_bytes"] = len(backup)
    poller = client.begin_delete_secret(name, **FAST)
    poller.wait()
    deleted = poller.result()
    result["deleted"] = {"name": deleted.name,
                         "recovery_id": deleted.recovery_id.replace(URL, "PROXY")}
    client.purge_deleted_secret(name)
    conflicts = 0
    while True:
        try:
            restored = client.restore_secret_backup(backup)
            break
        except ResourceExistsError:
            conflicts += 1
            if conflicts > 200:
                raise
            time.sleep(0.02)
    result["restored"] = {"name": restored.name, "version": restored.version}
    result["restore_conflicts"] = conflicts
    result["final"] = client.get_secret(name).value
    with open(os.environ["PROXY_RESULT_FILE"], "w", encoding="utf-8") as out:
        json.dump(result, out, indent=2, sort_keys=True)
        out.write("\n")
    print("seed flow done:", json.dumps(result, sort_keys=True))


if __name__ == "__main__":
    sys.exit(main())
