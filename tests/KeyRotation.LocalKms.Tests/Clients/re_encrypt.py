"""ReEncrypt against a running standalone LocalKms, as a user drives it with boto3 and the AWS CLI.

Usage: python3 re_encrypt.py ENDPOINT_URL   (StandaloneClientTests starts the server and runs this.)
Every check compares the answer (fields, error code, HTTP status, the CLI's output and exit code) with the KMS API
reference's, and that GetKeyLastUsage then shows ReEncrypt on both keys. Prints one line per failed check and a
summary line; exits 1 when any check failed.
"""
import base64
import json
import os
import subprocess
import sys
import tempfile

import boto3
from botocore.exceptions import ClientError

ENDPOINT = sys.argv[1]
REGION = "us-east-1"
SECRET = b"customer record 7"

failures = []
passed = 0


def check(name, actual, expected):
    global passed
    if actual == expected:
        passed += 1
    else:
        failures.append(f"{name}: expected {expected!r}, got {actual!r}")


def error_of(call, **kwargs):
    """(code, HTTP status) of the error a call answers; None when it succeeds."""
    try:
        call(**kwargs)
        return None
    except ClientError as error:
        return error.response["Error"]["Code"], error.response["ResponseMetadata"]["HTTPStatusCode"]


def aws(*args):
    """Runs `aws kms ARGS` against the endpoint: (exit code, stdout, stderr)."""
    done = subprocess.run(["aws", "kms", *args, "--endpoint-url", ENDPOINT, "--region", REGION, "--output", "json"],
                          capture_output=True, text=True, timeout=120, check=False)
    return done.returncode, done.stdout, done.stderr


kms = boto3.client("kms", region_name=REGION, endpoint_url=ENDPOINT, aws_access_key_id="test", aws_secret_access_key="secret")

old = kms.create_key()["KeyMetadata"]
new = kms.create_key()["KeyMetadata"]
kms.create_alias(AliasName="alias/current", TargetKeyId=new["KeyId"])
ciphertext = kms.encrypt(KeyId=old["KeyId"], Plaintext=SECRET, EncryptionContext={"app": "billing"})["CiphertextBlob"]

# boto3: the source key comes from the ciphertext; the destination may be an alias; the answer names both ARNs.
moved = kms.re_encrypt(CiphertextBlob=ciphertext, SourceEncryptionContext={"app": "billing"},
                       DestinationKeyId="alias/current", DestinationEncryptionContext={"app": "billing", "v": "2"})
check("fields", sorted(k for k in moved if k != "ResponseMetadata"),
      ["CiphertextBlob", "DestinationEncryptionAlgorithm", "DestinationKeyMaterialId", "KeyId", "SourceEncryptionAlgorithm",
       "SourceKeyId", "SourceKeyMaterialId"])
check("source key", moved["SourceKeyId"], old["Arn"])
check("destination key", moved["KeyId"], new["Arn"])
check("algorithms", (moved["SourceEncryptionAlgorithm"], moved["DestinationEncryptionAlgorithm"]), ("SYMMETRIC_DEFAULT", "SYMMETRIC_DEFAULT"))
check("material ids", (moved["SourceKeyMaterialId"], moved["DestinationKeyMaterialId"]), (old["CurrentKeyMaterialId"], new["CurrentKeyMaterialId"]))

# boto3: both keys record ReEncrypt with the request id and CloudTrail event id of that one call.
request_id = moved["ResponseMetadata"]["RequestId"]
usages = [kms.get_key_last_usage(KeyId=key["KeyId"])["KeyLastUsage"] for key in (old, new)]
for name, usage in zip(("source", "destination"), usages):
    check(name + " last usage", (usage["Operation"], usage["KmsRequestId"]), ("ReEncrypt", request_id))
check("one event id", usages[0]["CloudTrailEventId"], usages[1]["CloudTrailEventId"])
plain = kms.decrypt(CiphertextBlob=moved["CiphertextBlob"], EncryptionContext={"app": "billing", "v": "2"})
check("decrypts under new key", (plain["KeyId"], plain["Plaintext"]), (new["Arn"], SECRET))

# boto3: the documented errors.
other = kms.create_key()["KeyMetadata"]["KeyId"]
check("wrong source key", error_of(kms.re_encrypt, CiphertextBlob=ciphertext, SourceKeyId=other, DestinationKeyId=other,
                                   SourceEncryptionContext={"app": "billing"}), ("IncorrectKeyException", 400))
check("wrong context", error_of(kms.re_encrypt, CiphertextBlob=ciphertext, DestinationKeyId=other), ("InvalidCiphertextException", 400))
check("not a ciphertext", error_of(kms.re_encrypt, CiphertextBlob=b"garbage", DestinationKeyId=other), ("InvalidCiphertextException", 400))
check("unknown destination", error_of(kms.re_encrypt, CiphertextBlob=ciphertext, DestinationKeyId="alias/none",
                                      SourceEncryptionContext={"app": "billing"}), ("NotFoundException", 400))
hmac = kms.create_key(KeySpec="HMAC_256", KeyUsage="GENERATE_VERIFY_MAC")["KeyMetadata"]["KeyId"]
check("hmac destination", error_of(kms.re_encrypt, CiphertextBlob=ciphertext, DestinationKeyId=hmac,
                                   SourceEncryptionContext={"app": "billing"}), ("InvalidKeyUsageException", 400))
check("dry run", error_of(kms.re_encrypt, CiphertextBlob=ciphertext, DestinationKeyId=other, DryRun=True,
                          SourceEncryptionContext={"app": "billing"}), ("DryRunOperationException", 412))
check("dry run records nothing", kms.get_key_last_usage(KeyId=other)["KeyLastUsage"], {})
kms.disable_key(KeyId=other)
check("disabled destination", error_of(kms.re_encrypt, CiphertextBlob=ciphertext, DestinationKeyId=other,
                                       SourceEncryptionContext={"app": "billing"}), ("DisabledException", 400))
kms.schedule_key_deletion(KeyId=old["KeyId"], PendingWindowInDays=7)
check("source pending deletion", error_of(kms.re_encrypt, CiphertextBlob=ciphertext, DestinationKeyId=new["KeyId"],
                                          SourceEncryptionContext={"app": "billing"}), ("KMSInvalidStateException", 400))

# The AWS CLI, as a user types it: re-encrypt from a file, then get-key-last-usage on both keys.
source = kms.create_key()["KeyMetadata"]["KeyId"]
blob = kms.encrypt(KeyId=source, Plaintext=SECRET)["CiphertextBlob"]
with tempfile.TemporaryDirectory() as directory:
    path = os.path.join(directory, "ciphertext.bin")
    with open(path, "wb") as out:
        out.write(blob)
    code, out, err = aws("re-encrypt", "--ciphertext-blob", "fileb://" + path, "--destination-key-id", "alias/current")
    answer = json.loads(out) if code == 0 else {}
    check("cli re-encrypt", (code, answer.get("KeyId"), answer.get("SourceKeyId", "")[-36:]), (0, new["Arn"], source))
    for key in (source, new["KeyId"]):
        code, out, err = aws("get-key-last-usage", "--key-id", key, "--query", "KeyLastUsage.Operation")
        check("cli last usage " + key, (code, json.loads(out) if code == 0 else err), (0, "ReEncrypt"))
    if answer:
        check("cli ciphertext decrypts", kms.decrypt(CiphertextBlob=base64.b64decode(answer["CiphertextBlob"]))["Plaintext"], SECRET)
    code, out, err = aws("re-encrypt", "--ciphertext-blob", "fileb://" + path, "--destination-key-id", other)
    check("cli disabled destination", (code != 0, out, err.strip().split(":")[0]),
          (True, "", "An error occurred (DisabledException) when calling the ReEncrypt operation"))

for failure in failures:
    print("FAILED " + failure)
print(f"{passed} passed, {len(failures)} failed")
sys.exit(1 if failures else 0)
