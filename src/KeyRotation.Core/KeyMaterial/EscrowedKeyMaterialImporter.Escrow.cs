using Amazon.KeyManagementService.Model;
using Amazon.Runtime;

namespace KeyRotation.Core.KeyMaterial;

/// <summary>The escrow copy: written once per object name (never overwriting) and read back before any import.</summary>
public sealed partial class EscrowedKeyMaterialImporter
{
    private async Task<string> WriteEscrowAsync(EscrowTarget escrow, string aliasName, KeyMetadata key, Func<int, string> objectNameOf, int firstAttempt, byte[] wrapped, CancellationToken ct)
    {
        var body = new EscrowRecord
        {
            KeyId = key.KeyId,
            KeyArn = key.Arn,
            Alias = aliasName,
            CreatedAt = RecordedTime.Format(_time.GetUtcNow()),
            WrappingAlgorithm = EscrowPublicKey.WrappingAlgorithm,
            EscrowPublicKeySha256 = escrow.PublicKey.Sha256,
            EncryptedKeyMaterial = wrapped,
        }.ToJson();

        for (var attempt = firstAttempt; attempt < firstAttempt + MaxObjectNamesPerRun; attempt++)
        {
            var objectName = objectNameOf(attempt);
            var objectKey = escrow.Location.ObjectKey(aliasName, objectName);
            var uri = escrow.Location.Uri(objectKey);
            bool written;
            try
            {
                written = await _store!.PutIfAbsentAsync(escrow.Location.Bucket, objectKey, body, ct);
            }
            catch (AmazonServiceException ex)
            {
                throw EscrowFailed($"could not write {uri}: {ex.ErrorCode ?? ex.GetType().Name}: {ex.Message}", ex);
            }

            if (!written)
            {
                // Written by a run that died before importing it: its material was never imported. Keep it, use the next name.
                _log.Write(new RotationLogEntry(RotationLogLevel.Warning, $"Escrow object {uri} already exists (an earlier run died before importing it); writing the next one", null, aliasName, null, key.KeyId));
                continue;
            }

            await VerifyAsync(escrow.Location.Bucket, objectKey, uri, body, ct);
            return objectName;
        }

        throw EscrowFailed($"{MaxObjectNamesPerRun} escrow object names for key {key.KeyId} starting at {objectNameOf(firstAttempt)} are all taken in {escrow.Location.Uri(escrow.Location.ObjectKey(aliasName, string.Empty))}", null);
    }

    private async Task VerifyAsync(string bucket, string objectKey, string uri, byte[] expected, CancellationToken ct)
    {
        byte[]? actual;
        try
        {
            actual = await _store!.GetAsync(bucket, objectKey, ct);
        }
        catch (AmazonServiceException ex)
        {
            throw EscrowFailed($"could not read back {uri}: {ex.ErrorCode ?? ex.GetType().Name}: {ex.Message}", ex);
        }

        if (actual is null)
        {
            // The words S3 answers for a missing key, so the message reads as it did when the 404 itself was reported.
            throw EscrowFailed($"could not read back {uri}: NoSuchKey: The specified key does not exist.", null);
        }

        if (!actual.AsSpan().SequenceEqual(expected))
        {
            throw EscrowFailed($"{uri} read back differs from what was written ({actual.Length} bytes, expected {expected.Length})", null);
        }
    }
}
