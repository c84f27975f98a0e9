"""Key policies against a running standalone LocalKms, as a user drives them with boto3 and the AWS CLI.

Usage: python3 key_policies.py ENDPOINT_URL   (StandaloneClientTests starts the server and runs this.)
Every check compares the exact answer (fields, error code, HTTP status, the CLI's output and exit code) with the
KMS API reference's. Prints one line per failed check and a summary line; exits 1 when any check failed.
"""
import json
import os
import subprocess
import sys
import tempfile

import boto3
from botocore.exceptions import ClientError

ENDPOINT = sys.argv[1]
REGION = "us-east-1"
ACCOUNT_POLICY = json.dumps({
    "Version": "2012-10-17",
    "Statement": [{"Sid": "Admin", "Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111122223333:root"},
                   "Action": "kms:*", "Resource": "*"}],
})
DECRYPT_ONLY = json.dumps({
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Principal": {"AWS": "*"}, "Action": "kms:Decrypt", "Resource": "*"}],
})
LOCKOUT = "The new key policy will not allow you to update the key policy in the future."

failures = []
passed = 0


def check(name, actual, expected):
    global passed
    if actual == expected:
        passed += 1
    else:
        failures.append(f"{name}: expected {expected!r}, got {actual!r}")


def client(access_key="test"):
    return boto3.client("kms", region_name=REGION, endpoint_url=ENDPOINT,
                        aws_access_key_id=access_key, aws_secret_access_key="secret")


def error_of(call, **kwargs):
    """(code, HTTP status, message) of the error a call answers; None when it succeeds."""
    try:
        call(**kwargs)
        return None
    except ClientError as error:
        return (error.response["Error"]["Code"], error.response["ResponseMetadata"]["HTTPStatusCode"],
                error.response["Error"]["Message"])


def without_metadata(response):
    return {k: v for k, v in response.items() if k != "ResponseMetadata"}


def aws(*args):
    """Runs `aws kms ARGS` against the endpoint: (exit code, stdout, stderr)."""
    done = subprocess.run(["aws", "kms", *args, "--endpoint-url", ENDPOINT, "--region", REGION, "--output", "json"],
                          capture_output=True, text=True, timeout=120, check=False)
    return done.returncode, done.stdout, done.stderr


kms = client()

# boto3: PutKeyPolicy without PolicyName answers an empty body; GetKeyPolicy and ListKeyPolicies show it.
key = kms.create_key()["KeyMetadata"]["KeyId"]
put = kms.put_key_policy(KeyId=key, Policy=ACCOUNT_POLICY)
check("put_key_policy status", put["ResponseMetadata"]["HTTPStatusCode"], 200)
check("put_key_policy body", without_metadata(put), {})
check("get_key_policy", without_metadata(kms.get_key_policy(KeyId=key)), {"Policy": ACCOUNT_POLICY, "PolicyName": "default"})
check("list_key_policies", without_metadata(kms.list_key_policies(KeyId=key)), {"PolicyNames": ["default"], "Truncated": False})
pages = kms.get_paginator("list_key_policies").paginate(KeyId=key, PaginationConfig={"PageSize": 1})
check("list_key_policies paginator", [name for page in pages for name in page["PolicyNames"]], ["default"])

# boto3: the documented errors, each leaving the policy as it was.
check("malformed JSON", error_of(kms.put_key_policy, KeyId=key, Policy="{not json")[:2], ("MalformedPolicyDocumentException", 400))
too_big = ACCOUNT_POLICY[:-1] + " " * (32769 - len(ACCOUNT_POLICY)) + "}"
exactly_32_kb = ACCOUNT_POLICY[:-1] + " " * (32768 - len(ACCOUNT_POLICY)) + "}"
check("over 32 KB", error_of(kms.put_key_policy, KeyId=key, Policy=too_big)[:2], ("LimitExceededException", 400))
check("exactly 32 KB", error_of(kms.put_key_policy, KeyId=key, Policy=exactly_32_kb), None)
check("lockout", error_of(kms.put_key_policy, KeyId=key, Policy=DECRYPT_ONLY), ("MalformedPolicyDocumentException", 400, LOCKOUT))
check("policy name", error_of(kms.put_key_policy, KeyId=key, PolicyName="other", Policy=ACCOUNT_POLICY)[:2], ("NotFoundException", 400))
check("alias", error_of(kms.list_key_policies, KeyId="alias/none")[:2], ("NotFoundException", 400))
check("not a KMS ARN", error_of(kms.get_key_policy, KeyId="arn:aws:s3:::bucket")[:2], ("InvalidArnException", 400))
check("limit over 1000", error_of(kms.list_key_policies, KeyId=key, Limit=1001)[:2], ("ValidationException", 400))
check("policy kept", kms.get_key_policy(KeyId=key)["Policy"], exactly_32_kb)
check("bypass", error_of(kms.put_key_policy, KeyId=key, Policy=DECRYPT_ONLY, BypassPolicyLockoutSafetyCheck=True), None)

# boto3: the caller is named by its access key id; a policy for role/KeyAdmin passes for KeyAdmin only.
admin_only = json.dumps({"Statement": [{"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111122223333:role/KeyAdmin"},
                                        "Action": "kms:*", "Resource": "*"}]})
second = kms.create_key()["KeyMetadata"]["KeyId"]
check("other caller", error_of(kms.put_key_policy, KeyId=second, Policy=admin_only), ("MalformedPolicyDocumentException", 400, LOCKOUT))
check("named caller", error_of(client("KeyAdmin").put_key_policy, KeyId=second, Policy=admin_only), None)

# boto3: a key pending deletion still takes and lists its policy.
kms.schedule_key_deletion(KeyId=second, PendingWindowInDays=7)
check("pending deletion put", error_of(kms.put_key_policy, KeyId=second, Policy=ACCOUNT_POLICY), None)
check("pending deletion list", kms.list_key_policies(KeyId=second)["PolicyNames"], ["default"])

# The AWS CLI, as a user types it.
with tempfile.TemporaryDirectory() as directory:
    policy_file = os.path.join(directory, "policy.json")
    with open(policy_file, "w", encoding="ascii") as out:
        out.write(ACCOUNT_POLICY)
    cli_key = kms.create_key()["KeyMetadata"]["KeyId"]
    check("cli put-key-policy", aws("put-key-policy", "--key-id", cli_key, "--policy", "file://" + policy_file), (0, "", ""))
    code, out, err = aws("get-key-policy", "--key-id", cli_key, "--policy-name", "default")
    check("cli get-key-policy", (code, json.loads(out) if code == 0 else err), (0, {"Policy": ACCOUNT_POLICY, "PolicyName": "default"}))
    code, out, err = aws("list-key-policies", "--key-id", cli_key)
    check("cli list-key-policies", (code, json.loads(out) if code == 0 else err), (0, {"PolicyNames": ["default"]}))
    code, out, err = aws("put-key-policy", "--key-id", cli_key, "--policy", DECRYPT_ONLY)
    check("cli lockout", (code != 0, out, err.strip()),
          (True, "", "An error occurred (MalformedPolicyDocumentException) when calling the PutKeyPolicy operation: " + LOCKOUT))
    code, out, err = aws("put-key-policy", "--key-id", cli_key, "--policy", "{not json")
    check("cli malformed", (code != 0, err.strip().split(":")[0]),
          (True, "An error occurred (MalformedPolicyDocumentException) when calling the PutKeyPolicy operation"))
    code, out, err = aws("put-key-policy", "--key-id", cli_key, "--policy", too_big)
    check("cli over 32 KB", (code != 0, err.strip().split(":")[0]),
          (True, "An error occurred (LimitExceededException) when calling the PutKeyPolicy operation"))
    check("cli bypass", aws("put-key-policy", "--key-id", cli_key, "--policy", DECRYPT_ONLY, "--bypass-policy-lockout-safety-check"), (0, "", ""))
    check("cli policy after bypass", json.loads(aws("get-key-policy", "--key-id", cli_key)[1])["Policy"], DECRYPT_ONLY)

for failure in failures:
    print("FAILED " + failure)
print(f"{passed} passed, {len(failures)} failed")
sys.exit(1 if failures else 0)
