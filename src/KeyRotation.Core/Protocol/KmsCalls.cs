using Amazon.KeyManagementService;
using Amazon.KeyManagementService.Model;
using Amazon.Runtime;

namespace KeyRotation.Core.Protocol;

/// <summary>
/// The KMS calls the rotation, rollback, status and import share, with KMS errors translated at this edge into a
/// <see cref="RotationException"/> that names the operation: describe (absent is null, not an error), read all of a
/// key's tags, tag, and claim an alias (CreateAlias, which fails when another run holds it).
/// </summary>
internal sealed class KmsCalls
{
    private readonly IAmazonKeyManagementService _kms;

    public KmsCalls(IAmazonKeyManagementService kms) => _kms = kms;

    /// <summary>The key a key id, key ARN, alias name or alias ARN names; null when there is none.</summary>
    public async Task<KeyMetadata?> DescribeAsync(string keyIdOrAlias, CancellationToken ct)
    {
        try
        {
            return (await _kms.DescribeKeyAsync(new DescribeKeyRequest { KeyId = keyIdOrAlias }, ct)).KeyMetadata;
        }
        catch (NotFoundException)
        {
            return null;
        }
        catch (AmazonServiceException ex)
        {
            throw StepFailed("DescribeKey", ex);
        }
    }

    /// <summary>Every tag of the key, across pages.</summary>
    public Task<Dictionary<string, string>> TagsAsync(string keyId, CancellationToken ct) =>
        CallAsync("ListResourceTags", () => ReadTagsAsync(_kms, keyId, ct));

    /// <summary>Adds or overwrites tags on the key.</summary>
    public Task TagAsync(string keyId, IEnumerable<KeyValuePair<string, string>> tags, CancellationToken ct) =>
        CallAsync("TagResource", () => _kms.TagResourceAsync(
            new TagResourceRequest { KeyId = keyId, Tags = [.. tags.Select(t => new Tag { TagKey = t.Key, TagValue = t.Value })] },
            ct));

    /// <summary>Creates the alias pointing at the key; false when it exists already (someone else holds the claim).</summary>
    public async Task<bool> ClaimAsync(string aliasName, string targetKeyId, CancellationToken ct)
    {
        try
        {
            await _kms.CreateAliasAsync(new CreateAliasRequest { AliasName = aliasName, TargetKeyId = targetKeyId }, ct);
            return true;
        }
        catch (AlreadyExistsException)
        {
            return false;
        }
        catch (AmazonServiceException ex)
        {
            throw StepFailed("CreateAlias", ex);
        }
    }

    /// <summary>Every tag of the key, across pages; KMS errors propagate untranslated (for callers with their own error type).</summary>
    public static async Task<Dictionary<string, string>> ReadTagsAsync(IAmazonKeyManagementService kms, string keyId, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(kms);
        var tags = new Dictionary<string, string>(StringComparer.Ordinal);
        await foreach (var tag in kms.Paginators.ListResourceTags(new ListResourceTagsRequest { KeyId = keyId }).Tags.WithCancellation(ct))
        {
            tags[tag.TagKey] = tag.TagValue ?? string.Empty;
        }

        return tags;
    }

    /// <summary>Runs one KMS call; a KMS error becomes a <see cref="RotationException"/> naming the operation.</summary>
    public static async Task<T> CallAsync<T>(string operation, Func<Task<T>> call)
    {
        ArgumentNullException.ThrowIfNull(call);
        try
        {
            return await call();
        }
        catch (AmazonServiceException ex)
        {
            throw StepFailed(operation, ex);
        }
    }

    public static RotationException StepFailed(string operation, AmazonServiceException ex)
    {
        ArgumentNullException.ThrowIfNull(ex);
        return new RotationException($"KMS {operation} failed: {ex.ErrorCode ?? ex.GetType().Name}: {ex.Message}", ex);
    }
}
