using System.Text.Json.Nodes;

namespace KeyRotation.LocalKms;

/// <content>
/// Which code serves a request: the operation named by its X-Amz-Target header, routed to the file of its API family,
/// after what time did since the last call (expired material, automatic rotations, finished deletions) is applied.
/// </content>
public sealed partial class LocalKmsService
{
    private const string TargetPrefix = "TrentService.";

    /// <summary>KMS operations by their name; Resource Groups Tagging ones with the "tagging:" prefix.</summary>
    private static string OperationOf(string? target) => target switch
    {
        null => string.Empty,
        _ when target.StartsWith(TargetPrefix, StringComparison.Ordinal) => target[TargetPrefix.Length..],
        _ when target.StartsWith(TaggingTargetPrefix, StringComparison.Ordinal) => "tagging:" + target[TaggingTargetPrefix.Length..],
        _ => target,
    };

    /// <summary>
    /// Each operation to the API family that serves it. <paramref name="caller"/> is the request's SigV4 access key id
    /// (null when unsigned): the principal the key policy lockout safety check asks about.
    /// </summary>
    private JsonObject Dispatch(string operation, KmsRequest request, PregeneratedKeys pregenerated, string? caller) => operation switch
    {
        "CreateKey" => CreateKey(request, pregenerated, caller),
        "DescribeKey" => DescribeKey(request),
        "ListKeys" => ListKeys(request),
        "GetKeyPolicy" => GetKeyPolicy(request),
        "PutKeyPolicy" => PutKeyPolicy(request, caller),
        "ListKeyPolicies" => ListKeyPolicies(request),
        "EnableKey" => SetEnabled(request, true),
        "DisableKey" => SetEnabled(request, false),
        "ScheduleKeyDeletion" => ScheduleKeyDeletion(request),
        "CancelKeyDeletion" => CancelKeyDeletion(request),
        "TagResource" => TagResource(request),
        "UntagResource" => UntagResource(request),
        "ListResourceTags" => ListResourceTags(request),
        "ListGrants" => ListGrants(request),
        "CreateAlias" => CreateAlias(request),
        "UpdateAlias" => UpdateAlias(request),
        "DeleteAlias" => DeleteAlias(request),
        "ListAliases" => ListAliases(request),
        "Encrypt" => Encrypt(request),
        "Decrypt" => Decrypt(request),
        "GenerateDataKey" => GenerateDataKey(request, includePlaintext: true),
        "GenerateDataKeyWithoutPlaintext" => GenerateDataKey(request, includePlaintext: false),
        "GenerateMac" => GenerateMac(request),
        "VerifyMac" => VerifyMac(request),
        "GetKeyLastUsage" => GetKeyLastUsage(request),
        "ReEncrypt" => ReEncrypt(request, caller),
        "GetParametersForImport" => GetParametersForImport(request, pregenerated),
        "ImportKeyMaterial" => ImportKeyMaterial(request),
        "DeleteImportedKeyMaterial" => DeleteImportedKeyMaterial(request),
        "EnableKeyRotation" => EnableKeyRotation(request),
        "DisableKeyRotation" => DisableKeyRotation(request),
        "GetKeyRotationStatus" => GetKeyRotationStatus(request),
        "RotateKeyOnDemand" => RotateKeyOnDemand(request),
        "ListKeyRotations" => ListKeyRotations(request),
        "ReplicateKey" => ReplicateKey(request, caller),
        TaggingGetResources => GetResources(request),
        _ => throw new KmsErrorException("UnknownOperationException", $"Operation '{operation}' is not supported by LocalKms."),
    };

    /// <summary>
    /// Applies what time did since the last call, in every Region: expired key material, automatic
    /// rotations, finished deletion windows. Leaves the default Region entered.
    /// </summary>
    private void ExpireLapsedState()
    {
        do
        {
            foreach (var region in _regions.Keys.ToList())
            {
                EnterRegion(region);
                ExpireLapsedStateInRegion();
            }
        }
        while (StartPrimaryDeletionsWithoutReplicas());

        EnterRegion(Region);
    }

    private void ExpireLapsedStateInRegion()
    {
        var now = _time.GetUtcNow();
        foreach (var key in _keys.Values.ToList())
        {
            if (key.DeletionDate is { } deletion && deletion <= now)
            {
                _keys.Remove(key.KeyId);
                _region.Grants.Remove(key.KeyId);
                key.MultiRegionSet?.Deleted(CurrentRegion, deletion);
                foreach (var alias in _aliases.Values.Where(a => a.TargetKeyId == key.KeyId).ToList())
                {
                    _aliases.Remove(alias.AliasName);
                }

                continue;
            }

            ExpireKeyMaterials(key, now);
            RotateWhenDue(key, now);
        }

        foreach (var (id, token) in _importTokens.ToList())
        {
            // Keep expired tokens a day longer so their use answers ExpiredImportTokenException, not InvalidImportToken.
            if (token.ValidTo.AddDays(1) <= now)
            {
                token.WrappingKey.Dispose();
                _importTokens.Remove(id);
            }
        }
    }
}
